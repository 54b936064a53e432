/** The live trace: tokens stream into one line per generation; each finished step becomes a list item. */
import type { TraceEvent } from '../browser.js';
import { h } from '../ui/dom.js';
import { formatMs } from '../ui/format.js';
import { createConfidenceChart, type ConfidenceChart } from './confidence-chart.js';
import { createGauge } from './gauge.js';
import { summarizeEvent } from '../ui/trace-text.js';

export interface TraceView {
  element: HTMLElement;
  reset(note?: string): void;
  push(event: TraceEvent): void;
  /** A finished trace (e.g. a cached result's), rendered at once. */
  showAll(events: readonly TraceEvent[], note?: string): void;
}

export function createTraceView(): TraceView {
  const note = h('p', { class: 'hint trace-note' }, 'Ask a question to see how the answer is reached.');
  const live = h('ul', { class: 'trace-live', 'aria-label': 'Generating' });
  const list = h('ol', { class: 'trace-list', 'aria-label': 'Trace steps' });
  const element = h('div', { class: 'trace-view' }, note, live, list);
  const liveLines = new Map<number, HTMLElement>();
  // The request's events so far: a route line says why it happened from the ones before it.
  let seen: TraceEvent[] = [];
  let confidence: ConfidenceChart | null = null;

  function liveLine(index: number): HTMLElement {
    let text = liveLines.get(index);
    if (!text) {
      text = h('span', { class: 'model-text' });
      live.append(h('li', { 'data-index': index }, h('span', { class: 'tag' }, `#${index + 1}`), text));
      liveLines.set(index, text);
    }
    return text;
  }

  function dropLive(index?: number): void {
    for (const [i, text] of liveLines) {
      if (index === undefined || i === index) {
        text.parentElement?.remove();
        liveLines.delete(i);
      }
    }
  }

  function push(event: TraceEvent): void {
    if (event.type === 'token') {
      liveLine(event.index).append(event.token);
      return;
    }
    if (event.type === 'result') {
      dropLive();
      return;
    }
    dropLive(event.type === 'sample' ? event.index : undefined);
    if (event.type === 'trace-score') {
      // One chart for all of a request's traces, where the first score arrived.
      if (!confidence) {
        confidence = createConfidenceChart();
        list.append(h('li', { class: 'trace-item', 'data-type': 'trace-scores' }, h('div', { class: 'trace-head' }, h('span', { class: 'tag' }, 'Confidence'), h('span', { class: 'trace-line' }, 'per trace (DeepConf)')), confidence.element));
      }
      confidence.add(event);
      return;
    }
    if (event.type === 'stop' && confidence && Number.isFinite(event.numbers.threshold)) confidence.setThreshold(event.numbers.threshold!);
    const summary = summarizeEvent(event, seen);
    seen.push(event);
    const item = h(
      'li',
      { class: `trace-item tone-${summary.tone}`, 'data-type': event.type },
      h('div', { class: 'trace-head' }, h('span', { class: 'tag' }, summary.title), h('span', { class: 'trace-line' }, summary.line), h('time', { class: 'trace-time' }, formatMs(event.t))),
    );
    if (event.type === 'confidence') {
      const gauge = createGauge(event.signal);
      gauge.update(event.value, event.threshold);
      item.append(gauge.element);
    }
    if (event.type === 'vote') item.append(voteBars(event.counts));
    if (summary.text !== undefined && summary.text !== '') item.append(modelText(summary.text));
    list.append(item);
  }

  function reset(text = ''): void {
    dropLive();
    confidence = null;
    seen = [];
    list.replaceChildren();
    note.textContent = text;
    note.hidden = text === '';
  }

  return {
    element,
    reset,
    push,
    showAll(events, text) {
      reset(text);
      for (const event of events) push(event);
    },
  };
}

/** A reasoning chain folds away (its answer is on the line above); a one-line reply is shown as it is. */
function modelText(text: string): HTMLElement {
  const lines = text.split('\n').filter((line) => line.trim() !== '').length;
  if (lines <= 1) return h('pre', { class: 'model-text' }, text);
  return h('details', { class: 'chain' }, h('summary', {}, `${lines} steps`), h('pre', { class: 'model-text' }, text));
}

/** Votes grouped by answer, one bar each, widest first. */
function voteBars(counts: Record<string, number>): HTMLElement {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  const most = Math.max(1, ...entries.map(([, n]) => n));
  return h(
    'ul',
    { class: 'vote-bars', 'aria-label': 'Votes by answer' },
    ...entries.map(([answer, n]) =>
      h('li', {}, h('span', { class: 'vote-answer' }, answer), h('span', { class: 'vote-bar', style: `width: ${(100 * n) / most}%` }), h('span', { class: 'vote-count' }, String(n))),
    ),
  );
}
