/** One strategy step's Model select, rebuilt when the model it would inherit changes. */
import { h, replace } from '../ui/dom.js';
import { modelChoices, type ModelOption } from './model-choices.js';

export interface ModelSelect {
  element: HTMLElement;
  /** The model named, or undefined for "where the parent runs". */
  get(): string | undefined;
  set(value: unknown): void;
  /** The model the step runs on when it names none (its parent's; the runtime's default at the top). */
  inherit(model: string): void;
}

export interface ModelSelectOptions {
  id: string;
  key: string;
  label: string;
  models: readonly ModelOption[];
  inherited: string;
  top: boolean;
  changed: () => void;
}

export function createModelSelect(options: ModelSelectOptions): ModelSelect {
  const select = h('select', { id: options.id, 'data-key': options.key });
  let inherited = '';
  // The person's pick, kept while the parent's model makes it the empty choice, so it comes back after.
  let chosen = '';
  const show = () => void (select.value = [...select.options].some((o) => o.value === chosen) ? chosen : '');
  select.addEventListener('change', () => {
    chosen = select.value;
    options.changed();
  });

  function inherit(model: string): void {
    if (model === inherited && select.options.length > 0) return;
    inherited = model;
    replace(select, ...modelChoices(options.models, model, options.top).map((c) => h('option', { value: c.value }, c.label)));
    show();
  }
  inherit(options.inherited);

  return {
    // A row of its own: the choices are long ("big — Qwen/Qwen2.5-7B-Instruct on a server") and a select cannot wrap.
    element: h('div', { class: 'field model-field' }, h('label', { for: options.id }, options.label), select),
    get: () => (select.value === '' ? undefined : select.value),
    set(value) {
      chosen = typeof value === 'string' ? value : '';
      show();
    },
    inherit,
  };
}
