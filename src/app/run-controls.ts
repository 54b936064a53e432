/**
 * A long run's controls, shared by Evaluate's strategy comparison and its routing curve: Run, Cancel, a
 * progress bar and a status line, and the view's `data-state` (idle, running, done, cancelled, error) that
 * the styles and the end-to-end tests read.
 */
import { isAbortError } from '../browser.js';
import { h } from '../ui/dom.js';

export interface RunControls {
  /** Run, Cancel and the progress bar, in a row. */
  row: HTMLElement;
  status: HTMLParagraphElement;
  progress: HTMLProgressElement;
  /** Whether there is something to run (Run is also disabled while a run is under way). */
  setRunnable(runnable: boolean): void;
  /** Starts a run: progress at 0, state 'running'. The signal is Cancel's. */
  start(): AbortSignal;
  /** Ends the run: 'done' with its summary, 'cancelled' for an abort, else 'error' with `failed` and the message. */
  finish(outcome: { summary: string } | { error: unknown; failed: string }): void;
}

export function createRunControls(options: { prefix: string; runLabel: string; progressLabel: string; view: () => HTMLElement }): RunControls {
  const { prefix } = options;
  const runButton = h('button', { type: 'submit', id: `${prefix}-run` }, options.runLabel);
  const cancelButton = h('button', { type: 'button', id: `${prefix}-cancel`, class: 'secondary', disabled: true }, 'Cancel');
  const progress = h('progress', { id: `${prefix}-progress`, max: 1, value: 0, 'aria-label': options.progressLabel });
  const status = h('p', { class: 'status', id: `${prefix}-status`, role: 'status' });
  let running: AbortController | null = null;
  let runnable = true;
  const refresh = () => void (runButton.disabled = !runnable || running !== null);
  cancelButton.addEventListener('click', () => running?.abort());

  return {
    row: h('div', { class: 'run-row' }, runButton, cancelButton, progress),
    status,
    progress,
    setRunnable(value) {
      runnable = value;
      refresh();
    },
    start() {
      running = new AbortController();
      refresh();
      cancelButton.disabled = false;
      progress.value = 0;
      status.textContent = 'Loading questions…';
      options.view().dataset.state = 'running';
      return running.signal;
    },
    finish(outcome) {
      const view = options.view();
      if ('summary' in outcome) {
        status.textContent = outcome.summary;
        view.dataset.state = 'done';
      } else {
        const cancelled = isAbortError(outcome.error);
        const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        status.textContent = cancelled ? 'Cancelled.' : `${outcome.failed}: ${message}`;
        view.dataset.state = cancelled ? 'cancelled' : 'error';
      }
      running = null;
      cancelButton.disabled = true;
      refresh();
    },
  };
}
