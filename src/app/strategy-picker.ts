/**
 * The strategy picker: a kind selector and the kind's parameter form, built from the library's strategy
 * list. Given the runtime's models (more than one), every step also names the model it runs on.
 */
import { MAX_SPEC_DEPTH, type StrategySpec, type VerifierKind, type VerifierSpec } from '../browser.js';
import { h, replace, uid } from '../ui/dom.js';
import type { ModelOption } from './model-choices.js';
import { createModelSelect } from './model-select.js';
import {
  strategyInfo,
  strategyInfos,
  VERIFIER_FORMS,
  buildSpec,
  initialValues,
  isShown,
  valuesOf,
  type FieldSpec,
  type Values,
} from './strategy-forms.js';

export interface StrategyPicker {
  element: HTMLElement;
  /** The spec the form describes (validate it with `validateStrategy` before use). */
  spec(): StrategySpec;
  set(spec: StrategySpec): void;
  onChange(listener: () => void): void;
  /** The runtime's models, the default first: with more than one, each step shows a Model select (none with one). */
  setModels(models: readonly ModelOption[]): void;
  /** The model this picker's step runs on when it names none (set by the enclosing picker). */
  inherit(model: string): void;
}

export interface StrategyPickerOptions {
  legend?: string;
  initial?: StrategySpec;
  depth?: number;
  models?: readonly ModelOption[];
  inherited?: string;
}

interface Control {
  field: FieldSpec;
  element: HTMLElement;
  get(): unknown;
  set(value: unknown): void;
  /** The model in effect where the control sits: a Model select's default, a nested picker's parent's model. */
  inherit?(model: string): void;
}

/** What a control needs from the picker that builds it. */
interface ControlContext {
  depth: number;
  models: readonly ModelOption[];
  inherited: string;
  changed: () => void;
}

export function createStrategyPicker(options: StrategyPickerOptions = {}): StrategyPicker {
  const depth = options.depth ?? 1;
  let models = options.models ?? [];
  let inherited = options.inherited ?? models[0]?.name ?? '';
  const listeners: Array<() => void> = [];
  const changed = () => {
    refreshVisibility();
    for (const listener of listeners) listener();
  };

  const kindId = uid('strategy-kind');
  const kinds = strategyInfos().filter((info) => !info.nests || depth < MAX_SPEC_DEPTH);
  const kindSelect = h('select', { id: kindId, class: 'strategy-kind' }, ...kinds.map((info) => h('option', { value: info.kind }, info.label)));
  const summary = h('p', { class: 'hint strategy-summary' });
  const params = h('div', { class: 'strategy-params' });
  const element = h(
    'fieldset',
    { class: 'strategy-picker', 'data-depth': depth },
    h('legend', {}, options.legend ?? 'Strategy'),
    h('div', { class: 'field' }, h('label', { for: kindId }, 'Kind'), kindSelect),
    summary,
    params,
  );

  let controls: Control[] = [];

  function render(kind: string, values: Values): void {
    kindSelect.value = kind;
    const info = strategyInfo(kind);
    summary.textContent = info.summary;
    // One model leaves nothing to choose: no Model select rather than a dead one.
    const fields = info.fields.filter((field) => field.type !== 'model' || models.length > 1);
    controls = fields.map((field) => createControl(field, { depth, models, inherited, changed }));
    for (const control of controls) {
      const value = values[control.field.key];
      if (value !== undefined) control.set(value);
    }
    replace(params, ...controls.map((c) => c.element));
    refreshVisibility();
  }

  function currentValues(): Values {
    const values: Values = {};
    for (const control of controls) values[control.field.key] = control.get();
    return values;
  }

  function refreshVisibility(): void {
    const values = currentValues();
    for (const control of controls) control.element.hidden = !isShown(control.field, values);
    // A nested step that names no model runs where this one does.
    const here = typeof values.model === 'string' ? values.model : inherited;
    for (const control of controls) if (control.field.type === 'strategy') control.inherit?.(here);
  }

  kindSelect.addEventListener('change', () => {
    const kind = kindSelect.value;
    render(kind, initialValues(kind));
    changed();
  });

  const initial = options.initial ?? { kind: 'greedy' };
  render(initial.kind, { ...initialValues(initial.kind), ...valuesOf(initial) });

  return {
    element,
    spec: () => buildSpec(kindSelect.value, currentValues()),
    set(spec) {
      render(spec.kind, { ...initialValues(spec.kind), ...valuesOf(spec) });
      changed();
    },
    onChange: (listener) => void listeners.push(listener),
    setModels(list) {
      models = list;
      inherited = list[0]?.name ?? '';
      render(kindSelect.value, currentValues());
    },
    inherit(model) {
      inherited = model;
      for (const control of controls) if (control.field.type === 'model') control.inherit?.(model);
      refreshVisibility();
    },
  };
}

function createControl(field: FieldSpec, context: ControlContext): Control {
  const { depth, changed } = context;
  const id = uid(`field-${field.key}`);
  const helpId = field.help ? uid('help') : undefined;
  const help = field.help ? h('p', { class: 'hint', id: helpId }, field.help) : null;

  switch (field.type) {
    case 'integer':
    case 'number': {
      const input = h('input', {
        id,
        type: 'number',
        inputmode: field.type === 'integer' ? 'numeric' : 'decimal',
        min: field.min,
        max: field.max,
        step: field.step ?? 1,
        placeholder: field.placeholder,
        required: field.required,
        'aria-describedby': helpId,
        'data-key': field.key,
      });
      input.addEventListener('input', changed);
      return {
        field,
        element: h('div', { class: 'field' }, h('label', { for: id }, field.label), input, help),
        get: () => (input.value.trim() === '' ? undefined : Number(input.value)),
        set: (value) => void (input.value = value === undefined ? '' : String(value)),
      };
    }
    case 'select': {
      const select = h(
        'select',
        { id, 'aria-describedby': helpId, 'data-key': field.key },
        !field.required && field.initial === undefined ? h('option', { value: '' }, field.placeholder ?? '—') : null,
        ...field.options.map((option) => h('option', { value: option }, option)),
      );
      select.addEventListener('change', changed);
      return {
        field,
        element: h('div', { class: 'field' }, h('label', { for: id }, field.label), select, help),
        get: () => (select.value === '' ? undefined : select.value),
        set: (value) => void (select.value = String(value ?? '')),
      };
    }
    case 'verifier':
      return verifierControl(field, id, help, changed);
    case 'model': {
      const select = createModelSelect({ id, key: field.key, label: field.label, models: context.models, inherited: context.inherited, top: depth === 1, changed });
      return { field, ...select };
    }
    case 'strategy': {
      const { models, inherited } = context;
      const nested = createStrategyPicker({ legend: field.label, initial: { kind: field.initial } as StrategySpec, depth: depth + 1, models, inherited });
      nested.onChange(changed);
      return {
        field,
        element: h('div', { class: 'nested' }, nested.element),
        get: () => nested.spec(),
        set: (value) => nested.set(value as StrategySpec),
        inherit: (model) => nested.inherit(model),
      };
    }
  }
}

function verifierControl(field: FieldSpec & { type: 'verifier' }, id: string, help: HTMLElement | null, changed: () => void): Control {
  const kinds = Object.keys(VERIFIER_FORMS) as VerifierKind[];
  const select = h(
    'select',
    { id, 'data-key': field.key },
    field.required ? null : h('option', { value: '' }, 'model (self-verification)'),
    ...kinds.map((kind) => h('option', { value: kind }, VERIFIER_FORMS[kind]!.label)),
  );
  const extra = h('div', { class: 'verifier-params' });
  let inputs: Array<{ key: string; json: boolean; input: HTMLInputElement }> = [];

  function renderExtra(values: Record<string, unknown> = {}): void {
    const form = select.value ? VERIFIER_FORMS[select.value as VerifierKind] : undefined;
    inputs = (form?.fields ?? []).map((f) => {
      const inputId = uid(`verifier-${f.key}`);
      const value = values[f.key];
      const input = h('input', {
        id: inputId,
        type: 'text',
        placeholder: f.placeholder,
        spellcheck: 'false',
        value: value === undefined ? '' : f.json ? JSON.stringify(value) : String(value),
      });
      input.addEventListener('input', changed);
      return { key: f.key, json: f.json ?? false, input };
    });
    replace(extra, ...inputs.map(({ key, input }) => h('div', { class: 'field' }, h('label', { for: input.id }, form!.fields.find((f) => f.key === key)!.label), input)));
  }
  select.addEventListener('change', () => {
    renderExtra();
    changed();
  });
  renderExtra();

  return {
    field,
    element: h('div', { class: 'field' }, h('label', { for: id }, field.label), select, extra, help),
    get(): VerifierSpec | undefined {
      if (!select.value) return undefined;
      const spec: Record<string, unknown> = { kind: select.value };
      for (const { key, json, input } of inputs) {
        const raw = input.value;
        if (raw.trim() === '') continue;
        spec[key] = json ? parseJsonOr(raw) : raw;
      }
      return spec as unknown as VerifierSpec;
    },
    set(value) {
      const spec = value as VerifierSpec | undefined;
      select.value = spec?.kind ?? (field.required ? kinds[0]! : '');
      renderExtra(spec as unknown as Record<string, unknown>);
    },
  };
}

/** Invalid JSON stays a string: validation then names the field and says it wants a schema. */
function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
