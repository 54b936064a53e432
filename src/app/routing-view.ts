/**
 * Evaluate's routing section: answer on this device's model, escalate to the server's when the signal is
 * unsure, as a curve over thresholds against "always the server's" (the measurement `npm run bench` makes,
 * with the same arithmetic). Each question runs once on both models; the curve is computed from those runs.
 */
import { InvalidRequestError, routingStudy, validateStrategy, type AnswerSpec, type Capabilities, type CascadeSignal, type Runtime, type StrategySpec } from '../browser.js';
import { h, replace } from '../ui/dom.js';
import type { EvalItem } from './eval-data.js';
import type { RoutingChart } from './routing-chart.js';
import { runRouting, splitForPicking, type RoutingRow } from './routing-runner.js';
import { createRunControls } from './run-controls.js';
import { createQuestionTable, createSummaryTable } from './routing-table.js';
import { SERVER_MODEL, type Session } from './session.js';
import { createStrategyPicker } from './strategy-picker.js';

export interface RoutingViewOptions {
  session: Session;
  /** The questions chosen in the Evaluate form (the bundled set or a file, and how many). */
  questions(signal: AbortSignal): Promise<EvalItem[]>;
  answer(): AnswerSpec;
}

const SIGNALS: Array<{ signal: CascadeSignal; label: string; available(c: Capabilities): boolean }> = [
  { signal: 'confidence-token', label: 'confidence token (trained)', available: (c) => c.confidenceToken },
  { signal: 'logprob', label: 'token probability', available: (c) => c.logprobs },
  { signal: 'self-verify', label: 'self-verification, P(yes)', available: () => true },
  { signal: 'vote', label: 'vote share of 5 samples', available: () => true },
];

const hasServer = (runtime: Runtime | null) => runtime !== null && runtime.info().models[SERVER_MODEL] !== undefined;

export function createRoutingView(options: RoutingViewOptions): HTMLElement {
  const { session } = options;
  const empty = h(
    'p',
    { class: 'note note-info', id: 'routing-empty' },
    'No server model is loaded. To plot routing, open “Larger model on a server” in the Model card, give its base URL and model id, and press Load model.',
  );
  const signalSelect = h('select', { id: 'routing-signal' });
  const picker = createStrategyPicker({ legend: 'The large model runs', initial: { kind: 'greedy' } });
  // `element` is the view, declared below.
  const controls = createRunControls({ prefix: 'routing', runLabel: 'Run routing', progressLabel: 'Routing progress', view: () => element });
  const { status, progress } = controls;
  const form = h(
    'form',
    { id: 'routing-form', 'aria-label': 'Plot routing from this device to the server model', novalidate: true, hidden: true },
    h('div', { class: 'field' }, h('label', { for: 'routing-signal' }, 'Escalate when this signal is below the threshold'), signalSelect),
    picker.element,
    controls.row,
    status,
  );
  const canvas = h('canvas', { id: 'routing-chart', role: 'img', 'aria-label': 'Routing curve' });
  const summary = createSummaryTable();
  const questions = createQuestionTable();
  const results = h('div', { class: 'routing-results', hidden: true }, h('div', { class: 'chart-box' }, canvas), summary.element, questions.element);
  const element = h(
    'section',
    { class: 'card routing-card', id: 'routing', 'aria-labelledby': 'routing-title', 'data-state': 'idle' },
    h('h2', { id: 'routing-title' }, 'Routing: this device’s model, the server’s when unsure'),
    h('p', { class: 'hint' }, 'Each question runs on both models, once. For every threshold t the curve shows the accuracy when questions whose signal is below t go to the server model, against the share sent there. Uses the questions chosen above.'),
    empty,
    form,
    results,
  );

  function showRuntime(runtime: Runtime | null): void {
    const ready = hasServer(runtime);
    element.dataset.server = String(ready);
    empty.hidden = ready;
    form.hidden = !ready;
    if (!runtime || !ready) return;
    const capabilities = runtime.info().capabilities;
    const previous = signalSelect.value;
    const offered = SIGNALS.filter((s) => s.available(capabilities));
    replace(signalSelect, ...offered.map((s) => h('option', { value: s.signal }, s.label)));
    if (offered.some((s) => s.signal === previous)) signalSelect.value = previous;
  }
  session.onChange(showRuntime);
  showRuntime(session.runtime());

  let chart: RoutingChart | null = null;

  function render(rows: readonly RoutingRow[]): void {
    questions.render(rows);
    const { pick, scored } = splitForPicking(rows);
    if (pick.length === 0 || scored.length === 0) return;
    const study = routingStudy(pick, scored);
    summary.render(study);
    chart?.update(study);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const runtime = session.runtime();
    if (!runtime || !hasServer(runtime)) return showRuntime(runtime);
    let large: StrategySpec;
    try {
      large = validateStrategy(picker.spec());
    } catch (error) {
      return controls.finish({ error, failed: 'The large model’s strategy' });
    }
    const abort = controls.start();
    let answered = 0;
    try {
      const items = await options.questions(abort);
      if (items.length < 3) throw new InvalidRequestError('count', 'routing needs at least 3 questions: one to pick a threshold and two to score it');
      results.hidden = false;
      chart ??= (await import('./routing-chart.js')).createRoutingChart(canvas);
      let last = 0;
      const rows = await runRouting({
        runtime,
        items,
        answer: options.answer(),
        signal: signalSelect.value as CascadeSignal,
        large,
        abort,
        onProgress(done, total, partial) {
          answered = done;
          progress.value = done / total;
          status.textContent = `Question ${done} of ${total} on both models`;
          if (performance.now() - last > 400) {
            last = performance.now();
            render(partial);
          }
        },
      });
      render(rows);
      controls.finish({ summary: `Done: ${rows.length} questions on both models.` });
    } catch (error) {
      controls.finish({ error, failed: `Routing stopped${answered ? ` after ${answered} questions` : ''}` });
    }
  });

  return element;
}
