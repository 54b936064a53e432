/**
 * `<second-thought-chat>`: ask the on-device model from any page.
 *
 * Attributes: `model` (catalogue id, default tiny-arith), `strategy` (a JSON StrategySpec), `model-base`
 * (where models are served; default: `models/` beside the widget script), `answer` ("number", "text" or a
 * JSON AnswerSpec; default the catalogue model's answer kind, "number" for both bundled models, else "text"),
 * `placeholder` (default: the model's first example question).
 * Method: `solve(text)` → Promise<SolveResult>. Events (bubbling, composed): `st-answer` (detail: the
 * SolveResult), `st-progress` (detail: `{ stage: 'loading', progress, text }` while the model loads, then
 * `{ stage: 'solving', event }` for each trace event), `st-error` (detail: the Error).
 */
import { h, replace } from '../ui/dom.js';
import { formatMs, formatPercent } from '../ui/format.js';
import { explainResult, summarizeEvent } from '../ui/trace-text.js';
import { isAbortError, InvalidRequestError, MODEL_CATALOG, type AnswerSpec, type Runtime, type RuntimeInfo, type SolveResult, type StrategySpec, type TraceEvent } from '../browser.js';
import { createWidgetRuntime } from './runtime.js';
import styles from './styles.css?inline';

export type WidgetProgress = { stage: 'loading'; progress: number; text: string } | { stage: 'solving'; event: TraceEvent };

let scriptUrl = import.meta.url;
/** The entry module says where the widget was loaded from (its models and engine are beside it). */
export function setScriptUrl(url: string): void {
  scriptUrl = url;
}

export class SecondThoughtChat extends HTMLElement {
  static observedAttributes = ['model', 'model-base', 'placeholder'];

  readonly #input: HTMLInputElement;
  readonly #button: HTMLButtonElement;
  readonly #status: HTMLElement;
  readonly #answerBox: HTMLElement;
  readonly #answer: HTMLOutputElement;
  readonly #badge: HTMLElement;
  readonly #meter: HTMLMeterElement;
  readonly #meterText: HTMLElement;
  readonly #why: HTMLElement;
  readonly #details: HTMLDetailsElement;
  readonly #summary: HTMLElement;
  readonly #trace: HTMLOListElement;
  #runtime: Promise<Runtime> | null = null;
  #uiRequest: AbortController | null = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = styles;

    this.#input = h('input', { id: 'q', part: 'input', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. 347+589', 'aria-describedby': 'status' });
    this.#button = h('button', { type: 'submit', part: 'button' }, 'Ask');
    const form = h('form', { part: 'form' }, h('label', { for: 'q' }, 'Ask the on-device model'), h('div', { class: 'row' }, this.#input, this.#button));
    this.#status = h('p', { id: 'status', class: 'status', part: 'status', role: 'status' });
    this.#answer = h('output', { class: 'answer', part: 'answer', for: 'q' });
    this.#badge = h('span', { class: 'badge', hidden: true }, 'cached');
    this.#meter = h('meter', { min: 0, max: 1, low: 0.5, high: 0.8, optimum: 1, 'aria-label': 'Confidence' });
    this.#meterText = h('span', { class: 'meter-text' });
    this.#why = h('p', { class: 'why' });
    this.#answerBox = h(
      'div',
      { class: 'result', part: 'result', hidden: true, 'aria-live': 'polite' },
      h('div', { class: 'answer-row' }, h('span', { class: 'label' }, 'Answer'), this.#answer, this.#badge),
      h('div', { class: 'confidence', part: 'confidence' }, h('span', { class: 'label' }, 'Confidence'), this.#meter, this.#meterText),
      this.#why,
    );
    this.#summary = h('summary', { part: 'trace-summary' }, 'Trace');
    this.#trace = h('ol', { class: 'trace' });
    this.#details = h('details', { part: 'trace', hidden: true }, this.#summary, this.#trace);

    root.append(style, h('div', { class: 'st', part: 'container' }, form, this.#status, this.#answerBox, this.#details));

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#input.value;
      if (text.trim() === '') return;
      this.#uiRequest?.abort();
      const controller = (this.#uiRequest = new AbortController());
      this.#button.disabled = true;
      this.solve(text, { signal: controller.signal })
        .catch(() => {
          // Shown in the status line by solve().
        })
        .finally(() => {
          if (this.#uiRequest === controller) {
            this.#uiRequest = null;
            this.#button.disabled = false;
          }
        });
    });
  }

  connectedCallback(): void {
    const example = this.#entry()?.examples?.[0];
    this.#input.placeholder = this.getAttribute('placeholder') ?? (example ? `e.g. ${example}` : 'Ask a question');
    void this.#ensureRuntime().catch(() => {});
  }

  disconnectedCallback(): void {
    // Moving the element fires disconnect then connect: only a real removal frees the model.
    queueMicrotask(() => {
      if (!this.isConnected) this.#teardown();
    });
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value) return;
    if (name === 'placeholder') this.#input.placeholder = value ?? '';
    else if (this.#runtime) {
      this.#teardown();
      if (this.isConnected) void this.#ensureRuntime().catch(() => {});
    }
  }

  /** Where and how the model runs, once loaded. */
  async info(): Promise<RuntimeInfo> {
    return (await this.#ensureRuntime()).info();
  }

  /** Asks the model; resolves with the result (also shown, and sent as `st-answer`). */
  async solve(text: string, options: { signal?: AbortSignal } = {}): Promise<SolveResult> {
    try {
      const strategy = this.#strategy();
      const answer = this.#answerSpec();
      const runtime = await this.#ensureRuntime();
      this.#setStatus('Thinking…', 'busy');
      this.#trace.replaceChildren();
      const result = await runtime.solve({
        prompt: text,
        strategy,
        answer,
        signal: options.signal,
        onEvent: (event) => {
          if (event.type !== 'token' && event.type !== 'result') this.#appendTrace(event);
          this.#emit('st-progress', { stage: 'solving', event } satisfies WidgetProgress);
        },
      });
      this.#show(result);
      this.#emit('st-answer', result);
      return result;
    } catch (error) {
      const aborted = isAbortError(error);
      this.#setStatus(aborted ? 'Stopped.' : error instanceof Error ? error.message : String(error), aborted ? 'idle' : 'error');
      if (!aborted) this.#emit('st-error', error);
      throw error;
    }
  }

  #modelId(): string {
    return this.getAttribute('model') ?? 'tiny-arith';
  }

  #entry() {
    return MODEL_CATALOG.find((m) => m.id === this.#modelId());
  }

  #strategy(): StrategySpec | undefined {
    const raw = this.getAttribute('strategy');
    if (raw === null || raw.trim() === '') return undefined;
    try {
      return JSON.parse(raw) as StrategySpec;
    } catch (error) {
      throw new InvalidRequestError('strategy', `the strategy attribute is not JSON (${(error as Error).message})`);
    }
  }

  #answerSpec(): AnswerSpec {
    const raw = this.getAttribute('answer')?.trim();
    if (!raw) return { kind: this.#entry()?.answerKind ?? 'text' };
    if (!raw.startsWith('{')) return { kind: raw } as AnswerSpec;
    try {
      return JSON.parse(raw) as AnswerSpec;
    } catch (error) {
      throw new InvalidRequestError('answer', `the answer attribute is not JSON (${(error as Error).message})`);
    }
  }

  #ensureRuntime(): Promise<Runtime> {
    if (this.#runtime) return this.#runtime;
    const model = this.#modelId();
    this.#setStatus(`Loading ${model}…`, 'busy');
    let shown = 0; // each file starts at 0: keep the figure moving forward
    const loading = createWidgetRuntime(
      {
        model,
        modelBase: this.getAttribute('model-base') ?? undefined,
        onProgress: (event) => {
          if (this.#runtime !== loading) return;
          shown = Math.max(shown, Math.min(1, event.progress));
          this.#setStatus(`Loading ${model}… ${formatPercent(shown)}`, 'busy');
          this.#emit('st-progress', { stage: 'loading', progress: event.progress, text: event.text } satisfies WidgetProgress);
        },
      },
      scriptUrl,
    );
    this.#runtime = loading;
    loading.then(
      (runtime) => {
        if (this.#runtime !== loading) return void runtime.dispose();
        const info = runtime.info();
        this.#setStatus(`Ready · ${info.model} on ${info.device}${info.fallback ? ` (${info.fallback})` : ''}`, 'idle');
      },
      (error: unknown) => {
        if (this.#runtime !== loading) return;
        this.#runtime = null;
        this.#setStatus(`Could not load ${model}: ${error instanceof Error ? error.message : String(error)}`, 'error');
        this.#emit('st-error', error);
      },
    );
    return loading;
  }

  #teardown(): void {
    const runtime = this.#runtime;
    this.#runtime = null;
    this.#uiRequest?.abort();
    void runtime?.then((r) => r.dispose()).catch(() => {});
  }

  #setStatus(text: string, state: 'idle' | 'busy' | 'error'): void {
    this.#status.textContent = text;
    this.#status.hidden = text === '';
    this.#status.dataset.state = state;
    this.dataset.state = state;
  }

  #appendTrace(event: Exclude<TraceEvent, { type: 'token' | 'result' }>): void {
    const summary = summarizeEvent(event);
    this.#trace.append(
      h(
        'li',
        { class: `tone-${summary.tone}`, 'data-type': event.type },
        h('strong', {}, summary.title),
        ' ',
        summary.line,
        summary.text ? h('code', {}, summary.text) : null,
      ),
    );
  }

  #show(result: SolveResult): void {
    this.#answer.textContent = result.answer ?? 'no answer';
    this.#badge.hidden = !result.cached;
    const known = result.confidence !== null;
    this.#meter.value = known ? result.confidence! : 0;
    this.#meterText.textContent = known ? formatPercent(result.confidence!) : 'n/a';
    this.#why.textContent = `Why: ${explainResult(result)}. ${result.cached ? 'From the cache.' : `${result.usage.completionTokens} tokens, ${formatMs(result.usage.ms)}.`}`;
    if (result.cached || this.#trace.childElementCount === 0) {
      this.#trace.replaceChildren();
      for (const event of result.trace) if (event.type !== 'token' && event.type !== 'result') this.#appendTrace(event);
    }
    replace(this.#summary, `Trace (${this.#trace.childElementCount} steps)`);
    this.#answerBox.hidden = false;
    this.#details.hidden = false;
    this.#setStatus('', 'idle');
  }

  #emit(type: 'st-answer' | 'st-progress' | 'st-error', detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'second-thought-chat': SecondThoughtChat;
  }
}
