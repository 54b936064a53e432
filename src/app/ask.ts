/** Ask: a question, a strategy with its parameters, the live trace and the answer card. */
import { isAbortError, AbortError, InvalidRequestError, MODEL_CATALOG, validateStrategy, type AnswerSpec, type CacheMode, type SamplingOptions, type SolveRequest } from '../browser.js';
import { h, replace } from '../ui/dom.js';
import { describeModel, modelOptions } from './model-choices.js';
import { createResultView } from './result-view.js';
import type { Session } from './session.js';
import { createStrategyPicker } from './strategy-picker.js';
import { createTraceView } from './trace-view.js';

/** For models that bring no examples of their own (the downloadable instruct models). */
const CHAT_EXAMPLES = ['What is 17 * 24?', 'A train covers 60 km in 45 minutes. What is its speed in km/h?', 'Is 221 a prime number?'];

export function createAskView(session: Session, onSolved: () => void): HTMLElement {
  const prompt = h('input', { id: 'prompt', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 347+589', required: true, 'aria-describedby': 'prompt-hint' });
  const askButton = h('button', { type: 'submit', id: 'ask-button' }, 'Ask');
  const stopButton = h('button', { type: 'button', id: 'stop', class: 'secondary', disabled: true }, 'Stop');
  const examples = h('div', { class: 'examples', 'aria-label': 'Examples' });
  const picker = createStrategyPicker({ initial: { kind: 'self-consistency', n: 8 } });
  const pickerError = h('p', { class: 'form-error', role: 'alert', hidden: true });

  const answerKind = h('select', { id: 'answer-kind' }, h('option', { value: 'number' }, 'number'), h('option', { value: 'text' }, 'text'));
  const temperature = h('input', { id: 'temperature', type: 'number', min: 0, max: 5, step: 0.1, placeholder: 'model default', inputmode: 'decimal' });
  const seed = h('input', { id: 'seed', type: 'number', min: 0, step: 1, placeholder: 'random', inputmode: 'numeric' });
  const cacheMode = h(
    'select',
    { id: 'cache-mode' },
    h('option', { value: 'use' }, 'use the cache'),
    h('option', { value: 'refresh' }, 'recompute and store'),
    h('option', { value: 'bypass' }, 'bypass the cache'),
  );
  const options = h(
    'details',
    { class: 'options' },
    h('summary', {}, 'Answer, sampling and cache'),
    h(
      'div',
      { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'answer-kind' }, 'Answer kind'), answerKind),
      h('div', { class: 'field' }, h('label', { for: 'temperature' }, 'Temperature'), temperature),
      h('div', { class: 'field' }, h('label', { for: 'seed' }, 'Seed'), seed),
      h('div', { class: 'field' }, h('label', { for: 'cache-mode' }, 'Cache'), cacheMode),
    ),
  );

  const form = h(
    'form',
    // novalidate: the library validates every field and names it ("strategy.threshold"), one voice for errors.
    { id: 'ask-form', class: 'card ask-form', 'aria-label': 'Ask a question', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'prompt' }, 'Question'), h('div', { class: 'prompt-row' }, prompt, askButton, stopButton)),
    h('p', { class: 'hint', id: 'prompt-hint' }, 'Enter asks; Stop (or Escape) cancels.'),
    examples,
    picker.element,
    pickerError,
    options,
  );

  const resultView = createResultView();
  const traceView = createTraceView();
  const element = h(
    'div',
    { class: 'ask-view' },
    form,
    h('section', { class: 'card result-card', 'aria-labelledby': 'result-title' }, h('h2', { id: 'result-title' }, 'Result'), resultView.element),
    h('section', { class: 'card trace-card', 'aria-labelledby': 'trace-title' }, h('h2', { id: 'trace-title' }, 'Trace'), traceView.element),
  );

  function showExamples(list: readonly string[]): void {
    replace(
      examples,
      h('span', { class: 'hint' }, 'Try:'),
      ...list.map((text) =>
        h('button', { type: 'button', class: 'chip', onclick: () => {
          prompt.value = text;
          prompt.focus();
        } }, text),
      ),
    );
  }
  const showModel = (id: string) => {
    const entry = MODEL_CATALOG.find((m) => m.id === id);
    const list = entry?.examples ?? CHAT_EXAMPLES;
    answerKind.value = entry?.answerKind ?? 'text';
    prompt.placeholder = `e.g. ${list[0]}`;
    showExamples(list);
  };
  showModel(MODEL_CATALOG[0]!.id);
  session.onChange((runtime) => {
    if (!runtime) return;
    showModel(runtime.info().model);
    // Kept while a model loads (nothing can be asked then), so a reload keeps the steps' model choices.
    picker.setModels(modelOptions(runtime.info()));
  });

  let controller: AbortController | null = null;
  stopButton.addEventListener('click', () => controller?.abort());
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && controller) controller.abort();
  });
  picker.onChange(() => (pickerError.hidden = true));

  function buildRequest(): SolveRequest | null {
    let strategy;
    try {
      strategy = validateStrategy(picker.spec());
    } catch (error) {
      pickerError.textContent = error instanceof InvalidRequestError ? error.message : String(error);
      pickerError.hidden = false;
      return null;
    }
    const sampling: SamplingOptions = {};
    if (temperature.value !== '') sampling.temperature = Number(temperature.value);
    if (seed.value !== '') sampling.seed = Number(seed.value);
    return {
      prompt: prompt.value,
      strategy,
      answer: { kind: answerKind.value } as AnswerSpec,
      sampling,
      cache: cacheMode.value as CacheMode,
    };
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const runtime = session.runtime();
    if (!runtime) {
      resultView.error('Load a model first.');
      return;
    }
    const request = buildRequest();
    if (!request) return;
    controller?.abort();
    const mine = (controller = new AbortController());
    stopButton.disabled = false;
    traceView.reset('');
    resultView.pending('Thinking…');
    try {
      const result = await runtime.solve({ ...request, signal: mine.signal, onEvent: (e) => traceView.push(e) });
      const models = modelOptions(runtime.info());
      resultView.show(result, (name) => describeModel(models, name));
      if (result.cached) traceView.showAll(result.trace, 'Served from the cache: the trace recorded when this answer was first computed.');
    } catch (error) {
      if (isAbortError(error)) resultView.error('Stopped.');
      else resultView.error(error instanceof Error ? error.message : String(error));
    } finally {
      if (controller === mine) {
        controller = null;
        stopButton.disabled = true;
      }
      onSolved();
    }
  });

  return element;
}
