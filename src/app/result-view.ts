/** The answer card: the answer, how it was reached, its confidence against the threshold, and its cost. */
import type { SolveResult } from '../browser.js';
import { h, replace } from '../ui/dom.js';
import { formatMs, plural } from '../ui/format.js';
import { createGauge } from './gauge.js';
import { explainResult, thresholdOf } from '../ui/trace-text.js';
import { escalationNote, usageByModel } from '../ui/route-text.js';
import { describeSpec } from './strategy-forms.js';

export interface ResultView {
  element: HTMLElement;
  pending(text: string): void;
  /** `describe` names a model for people ("big (tiny-arith on a server)"), for a failed escalation's note. */
  show(result: SolveResult, describe?: (model: string) => string): void;
  error(message: string): void;
}

export function createResultView(): ResultView {
  const answer = h('output', { class: 'answer', 'aria-live': 'polite' }, '—');
  const badges = h('div', { class: 'badges' });
  const gauge = createGauge('Confidence');
  const why = h('p', { class: 'why' });
  const usage = h('p', { class: 'usage' });
  const byModel = h('ul', { class: 'usage-by-model', 'aria-label': 'Tokens by model', hidden: true });
  // A failed escalation: the answer above is the first model's, and this says so and why.
  const escalation = h('p', { class: 'note note-warn escalation-note', role: 'note', hidden: true });
  const text = h('pre', { class: 'model-text answer-text', hidden: true });
  const status = h('p', { class: 'status', role: 'status' });
  let finished = 0;
  const element = h(
    'div',
    // data-finished counts answers and errors shown, so a watcher can tell a new outcome from the last one.
    { class: 'result-view', 'data-state': 'empty', 'data-finished': 0 },
    h('div', { class: 'answer-row' }, h('span', { class: 'answer-label' }, 'Answer'), answer, badges),
    escalation,
    gauge.element,
    why,
    usage,
    byModel,
    text,
    status,
  );

  return {
    element,
    pending(message) {
      element.dataset.state = 'pending';
      answer.textContent = '…';
      badges.replaceChildren();
      gauge.update(null);
      why.textContent = '';
      usage.textContent = '';
      byModel.hidden = true;
      escalation.hidden = true;
      text.hidden = true;
      status.textContent = message;
    },
    show(result, describe) {
      element.dataset.state = 'done';
      element.dataset.finished = String(++finished);
      answer.textContent = result.answer ?? 'no answer';
      replace(
        badges,
        result.cached ? h('span', { class: 'badge badge-cached', title: 'Served from the IndexedDB result cache: no model call' }, 'cached') : null,
        result.budgetExhausted ? h('span', { class: 'badge badge-warn' }, 'budget exhausted') : null,
        result.escalation === 'failed' ? h('span', { class: 'badge badge-warn' }, 'escalation failed') : null,
        h('span', { class: 'badge' }, describeSpec(result.strategy)),
      );
      gauge.update(result.confidence, thresholdOf(result));
      replace(why, h('strong', {}, 'Why: '), explainResult(result));
      const u = result.usage;
      usage.textContent = result.cached
        ? `Served from the cache in ${formatMs(u.ms)} — no tokens generated`
        : `${plural(u.completionTokens, 'token')} generated · ${plural(u.promptTokens, 'prompt token')} · ${plural(u.samples, 'sample')} · ${plural(u.engineCalls, 'engine call')} · ${formatMs(u.ms)}`;
      const lines = result.cached ? [] : usageByModel(u);
      replace(byModel, ...lines.map((l) => h('li', { 'data-model': l.model }, h('span', { class: 'usage-model' }, l.model), l.text)));
      byModel.hidden = lines.length === 0;
      const note = escalationNote(result, describe);
      escalation.textContent = note ?? '';
      escalation.hidden = note === null;
      text.textContent = result.text;
      text.hidden = result.text.trim() === '' || result.text.trim() === (result.answer ?? '').trim();
      status.textContent = '';
    },
    error(message) {
      element.dataset.state = 'error';
      element.dataset.finished = String(++finished);
      answer.textContent = '—';
      badges.replaceChildren();
      byModel.hidden = true;
      escalation.hidden = true;
      status.textContent = message;
    },
  };
}
