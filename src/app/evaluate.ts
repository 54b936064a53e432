/** Evaluate: a labelled set, several strategies, accuracy against tokens per question, progress and cancel. */
import { InvalidRequestError, MODEL_CATALOG, validateStrategy, type ModelEntry, type AnswerSpec, type StrategySpec } from '../browser.js';
import { h, replace } from '../ui/dom.js';
import { loadBundledSet, parseJsonl, spread, type EvalItem } from './eval-data.js';
import type { EvalChart } from './eval-chart.js';
import { accuracy, evaluate, msPerQuestion, tokensPerQuestion, type Score } from './eval-runner.js';
import { formatMs, formatPercent } from '../ui/format.js';
import { createRoutingView } from './routing-view.js';
import { createRunControls } from './run-controls.js';
import type { Session } from './session.js';
import { describeSpec } from './strategy-forms.js';
import { modelOptions } from './model-choices.js';
import { createStrategyPicker } from './strategy-picker.js';

const DEFAULT_SPECS: StrategySpec[] = [
  { kind: 'greedy' },
  { kind: 'self-consistency', n: 5 },
  { kind: 'adaptive-consistency', maxSamples: 16 },
];

export function createEvaluateView(session: Session): HTMLElement {
  // Dataset
  const bundledRadio = h('input', { type: 'radio', name: 'eval-source', id: 'source-bundled', value: 'bundled', checked: true });
  const fileRadio = h('input', { type: 'radio', name: 'eval-source', id: 'source-file', value: 'file' });
  const fileInput = h('input', { type: 'file', id: 'eval-file', accept: '.jsonl,.json,.txt,application/jsonl' });
  const datasetNote = h('p', { class: 'hint', id: 'dataset-note', 'aria-live': 'polite' }, 'JSONL: one {"prompt": …, "answer": …} per line.');
  const count = h('input', { type: 'number', id: 'eval-count', min: 1, max: 3000, value: 30, inputmode: 'numeric' });
  const answerKind = h('select', { id: 'eval-answer-kind' }, h('option', { value: 'number' }, 'number'), h('option', { value: 'text' }, 'text'));
  const bundledLabel = h('label', { for: 'source-bundled' });
  // The bundled set is the loaded model's own held-out set; a model without one is evaluated on a file.
  let heldOut: ModelEntry['heldOut'];
  const showModel = (id: string) => {
    const entry = MODEL_CATALOG.find((m) => m.id === id);
    heldOut = entry?.heldOut;
    bundledLabel.textContent = heldOut ? `Bundled ${heldOut.label}` : 'Bundled set (this model has none: use a file)';
    bundledRadio.disabled = !heldOut;
    if (!heldOut) fileRadio.checked = true;
    else if (!fileInput.files?.length) bundledRadio.checked = true;
    answerKind.value = entry?.answerKind ?? 'text';
  };
  showModel(MODEL_CATALOG[0]!.id);

  // Strategies
  const specs: StrategySpec[] = [...DEFAULT_SPECS];
  const specList = h('ul', { class: 'spec-list', id: 'eval-strategies', 'aria-label': 'Strategies to compare' });
  const picker = createStrategyPicker({ legend: 'Add a strategy', initial: { kind: 'cascade', signal: 'confidence-token', threshold: 0.7, then: { kind: 'self-consistency', n: 8 } } });
  session.onChange((runtime) => {
    if (!runtime) return;
    showModel(runtime.info().model);
    picker.setModels(modelOptions(runtime.info()));
  });
  const addButton = h('button', { type: 'button', class: 'secondary', id: 'eval-add' }, 'Add to comparison');
  const pickerError = h('p', { class: 'form-error', role: 'alert', hidden: true });

  // Run (`element` is the view, declared below)
  const controls = createRunControls({ prefix: 'eval', runLabel: 'Run evaluation', progressLabel: 'Evaluation progress', view: () => element });
  const { status, progress } = controls;

  // Results
  const canvas = h('canvas', { id: 'eval-chart', role: 'img', 'aria-label': 'Accuracy against generated tokens per question, one point per strategy' });
  const tableBody = h('tbody');
  const table = h(
    'table',
    { class: 'results', id: 'eval-results' },
    h('caption', {}, 'Scores'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Strategy'), h('th', { scope: 'col' }, 'Accuracy'), h('th', { scope: 'col' }, 'Tokens / question'), h('th', { scope: 'col' }, 'Time / question'), h('th', { scope: 'col' }, 'Questions'))),
    tableBody,
  );

  const form = h(
    'form',
    { class: 'card eval-form', id: 'eval-form', 'aria-label': 'Evaluate strategies on labelled questions', novalidate: true },
    h(
      'fieldset',
      { class: 'dataset' },
      h('legend', {}, 'Questions'),
      h('div', { class: 'radio' }, bundledRadio, bundledLabel),
      h('div', { class: 'radio' }, fileRadio, h('label', { for: 'source-file' }, 'A JSONL file: '), fileInput),
      datasetNote,
      h(
        'div',
        { class: 'grid' },
        h('div', { class: 'field' }, h('label', { for: 'eval-count' }, 'How many (spread over the set)'), count),
        h('div', { class: 'field' }, h('label', { for: 'eval-answer-kind' }, 'Answer kind'), answerKind),
      ),
    ),
    h('fieldset', { class: 'strategies' }, h('legend', {}, 'Strategies'), specList, picker.element, pickerError, addButton),
    controls.row,
    status,
  );
  const element = h(
    'div',
    { class: 'eval-view' },
    form,
    h('section', { class: 'card eval-results', 'aria-labelledby': 'eval-results-title' }, h('h2', { id: 'eval-results-title' }, 'Accuracy vs. tokens'), h('div', { class: 'chart-box' }, canvas), table),
    // The same questions, on this device's model and a server's (loadItems is a declaration: hoisted).
    createRoutingView({ session, questions: loadItems, answer: () => ({ kind: answerKind.value }) as AnswerSpec }),
  );

  function renderSpecs(): void {
    replace(
      specList,
      ...specs.map((spec, i) =>
        h(
          'li',
          {},
          h('code', {}, describeSpec(spec)),
          h('button', { type: 'button', class: 'icon', 'aria-label': `Remove ${describeSpec(spec)}`, onclick: () => {
            specs.splice(i, 1);
            renderSpecs();
          } }, '×'),
        ),
      ),
    );
    controls.setRunnable(specs.length > 0);
  }

  addButton.addEventListener('click', () => {
    try {
      specs.push(validateStrategy(picker.spec()));
      pickerError.hidden = true;
      renderSpecs();
    } catch (error) {
      pickerError.textContent = error instanceof InvalidRequestError ? error.message : String(error);
      pickerError.hidden = false;
    }
  });
  fileInput.addEventListener('change', () => {
    if (fileInput.files?.length) fileRadio.checked = true;
  });

  async function loadItems(signal: AbortSignal): Promise<EvalItem[]> {
    const parsed = fileRadio.checked
      ? fileInput.files?.[0]
        ? parseJsonl(await fileInput.files[0].text())
        : (() => {
            throw new InvalidRequestError('file', 'pick a JSONL file first');
          })()
      : heldOut
        ? await loadBundledSet(heldOut, signal)
        : (() => {
            throw new InvalidRequestError('file', 'this model has no bundled set: pick a JSONL file');
          })();
    if (parsed.items.length === 0) throw new InvalidRequestError('file', `no usable questions${parsed.problems.length ? `: ${parsed.problems.slice(0, 3).join('; ')}` : ''}.`);
    const n = Math.max(1, Math.floor(Number(count.value) || 1));
    datasetNote.textContent = `${parsed.items.length.toLocaleString('en')} questions in the set${parsed.problems.length ? ` (${parsed.problems.length} lines skipped)` : ''}; running ${Math.min(n, parsed.items.length)}.`;
    return spread(parsed.items, n);
  }

  let chart: EvalChart | null = null;

  function renderScores(scores: readonly Score[]): void {
    replace(
      tableBody,
      ...scores.map((s) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, s.label),
          h('td', {}, formatPercent(accuracy(s), 1)),
          h('td', {}, tokensPerQuestion(s).toFixed(1)),
          h('td', {}, formatMs(msPerQuestion(s))),
          h('td', {}, `${s.questions}${s.failures ? ` (${s.failures} failed)` : ''}`),
        ),
      ),
    );
    chart?.update(scores);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const runtime = session.runtime();
    if (!runtime) {
      status.textContent = 'Load a model first.';
      return;
    }
    const signal = controls.start();
    try {
      const items = await loadItems(signal);
      chart ??= (await import('./eval-chart.js')).createEvalChart(canvas);
      let last = 0;
      const scores = await evaluate({
        runtime,
        items,
        specs: [...specs],
        answer: { kind: answerKind.value } as AnswerSpec,
        signal,
        onProgress(done, total, partial) {
          progress.value = done / total;
          const current = partial[partial.length - 1]!;
          status.textContent = `Strategy ${partial.length} of ${specs.length} (${current.label}) · question ${current.questions} of ${items.length}`;
          const now = performance.now();
          if (now - last > 200 || done === total) {
            last = now;
            renderScores(partial);
          }
        },
      });
      renderScores(scores);
      controls.finish({ summary: `Done: ${scores.length} strategies × ${items.length} questions.` });
    } catch (error) {
      controls.finish({ error, failed: 'Evaluation failed' });
    }
  });

  renderSpecs();
  return element;
}
