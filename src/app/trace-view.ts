/** The live trace: tokens stream into one line per generation; each finished step becomes a list item. */
import type { TraceEvent } from '../browser.js';
import { h } from '../ui/dom.js';
import { formatMs } from '../ui/format.js';
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
    const summary = summarizeEvent(event);
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
    if (summary.text !== undefined && summary.text !== '') item.append(h('pre', { class: 'model-text' }, summary.text));
    list.append(item);
  }

  function reset(text = ''): void {
    dropLive();
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
