/** The routing curve as numbers: a few thresholds, the picked one marked, and every question's record. */
import type { RoutingPoint, RoutingStudy } from '../browser.js';
import { h, replace } from '../ui/dom.js';
import { formatPercent } from '../ui/format.js';
import type { RoutingRow } from './routing-runner.js';

const headRow = (...labels: string[]) => h('thead', {}, h('tr', {}, ...labels.map((label) => h('th', { scope: 'col' }, label))));

export function createSummaryTable(): { element: HTMLTableElement; render(study: RoutingStudy): void } {
  const caption = h('caption', {}, 'Routing at a few thresholds');
  const body = h('tbody');
  const element = h('table', { class: 'results', id: 'routing-table' }, caption, headRow('Threshold', 'Accuracy', 'Sent to the large model', 'Large-model tokens', 'Tokens / question'), body);

  const row = (label: string, accuracy: number, calls: number, tokens: number | null, perQuestion: number | null, attributes: Record<string, string> = {}) =>
    h(
      'tr',
      attributes,
      h('th', { scope: 'row' }, label),
      h('td', {}, formatPercent(accuracy, 1)),
      h('td', {}, formatPercent(calls, 0)),
      h('td', {}, tokens === null ? '—' : formatPercent(tokens, 0)),
      h('td', {}, perQuestion === null ? '—' : perQuestion.toFixed(1)),
    );
  const pointRow = (p: RoutingPoint, chosen: boolean) =>
    row(chosen ? `${p.threshold.toFixed(2)} ★ picked` : p.threshold.toFixed(2), p.accuracy, p.largeCallShare, p.largeTokenShare, p.tokensPerQuestion, { 'data-threshold': String(p.threshold), ...(chosen ? { class: 'chosen' } : {}) });

  return {
    element,
    render(study) {
      caption.textContent =
        `On ${study.scoredQuestions} questions; the threshold was picked on the other ${study.pickQuestions} (every third) as the cheapest within 1 point of always-large` +
        (study.chosenThreshold === null ? ' — none was.' : '.');
      // Tenths of the curve, and the picked threshold in its place wherever it falls.
      const shown = study.curve.filter((p, i) => i % 10 === 0 || p.threshold === study.chosenThreshold);
      replace(
        body,
        row('small only', study.smallOnly, 0, 0, null, { 'data-threshold': 'small-only' }),
        ...shown.map((p) => pointRow(p, p.threshold === study.chosenThreshold)),
        row('always large', study.alwaysLarge, 1, 1, null, { 'data-threshold': 'always-large' }),
      );
    },
  };
}

/** Three decimals, except that a value just below 1 is not shown as 1 (threshold 1 still escalates it). */
const signalText = (value: number) => (value < 1 && value.toFixed(3) === '1.000' ? '> 0.999' : value.toFixed(3));

const mark = (correct: boolean) => h('span', { class: correct ? 'mark-good' : 'mark-bad', 'aria-label': correct ? 'right' : 'wrong' }, correct ? ' ✓' : ' ✗');

export function createQuestionTable(): { element: HTMLElement; render(rows: readonly RoutingRow[]): void } {
  const body = h('tbody');
  const count = h('span');
  const element = h(
    'details',
    { class: 'routing-questions' },
    h('summary', {}, 'Every question (', count, ')'),
    h('table', { class: 'results', id: 'routing-questions' }, headRow('#', 'Question', 'Expected', 'Small answer', 'Signal', 'Large answer', 'Tokens (small + large)', 'Used to'), body),
  );
  return {
    element,
    render(rows) {
      count.textContent = String(rows.length);
      replace(
        body,
        ...rows.map((r, i) =>
          h(
            'tr',
            { 'data-picks': String(r.picks) },
            h('td', {}, String(i + 1)),
            h('td', { class: 'mono' }, r.prompt),
            h('td', { class: 'mono' }, r.expected),
            h('td', { class: 'mono', 'data-correct': String(r.smallCorrect) }, r.smallAnswer ?? '—', mark(r.smallCorrect)),
            // The exact value travels beside the rounded one, so the curve can be recomputed from the page.
            h('td', { 'data-value': r.signal === null ? '' : String(r.signal) }, r.signal === null ? 'none' : signalText(r.signal)),
            h('td', { class: 'mono', 'data-correct': String(r.largeCorrect) }, r.largeAnswer ?? '—', mark(r.largeCorrect)),
            h('td', {}, `${r.smallTokens} + ${r.largeTokens}`),
            h('td', {}, r.picks ? 'pick t' : 'score'),
          ),
        ),
      );
    },
  };
}
