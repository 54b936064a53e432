import { z } from 'zod';
import { EngineError } from '../errors.js';
import type { FieldForm, FormValues } from './define.js';
import { strategyDefinitions, type RegisteredStrategy } from './registry.js';

interface FieldBase {
  key: string;
  label: string;
  help?: string;
  /** Shown (and included in the spec) only when this holds for the form's current values. */
  when?: (values: FormValues) => boolean;
}

/** One parameter of a strategy, as a form shows it: words from the strategy, everything else from its schema. */
export type StrategyField = FieldBase &
  (
    | {
        type: 'integer' | 'number';
        min: number;
        max: number;
        step?: number;
        /** Pre-filled value; without one the field may be left empty, and the schema's default applies. */
        initial?: number;
        placeholder?: string;
        required: boolean;
      }
    | { type: 'select'; options: readonly string[]; initial?: string; placeholder?: string; required: boolean }
    | { type: 'verifier'; required: boolean }
    | { type: 'strategy'; initial: string }
    /**
     * Which of the runtime's models runs the step (`model` in the schema, see `stepModel()`). The options are
     * the runtime's model names, so the form fills them in; left empty, the step runs where its parent does.
     */
    | { type: 'model'; required: false }
  );

/** A strategy as the app's picker lists it. */
export interface StrategyInfo {
  kind: string;
  label: string;
  /** One line: what it does, and where it comes from. */
  summary: string;
  /** Holds nested strategies (counted against the nesting limit). */
  nests: boolean;
  fields: StrategyField[];
}

interface JsonProperty {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
}

const MODEL_FIELD: StrategyField = { key: 'model', label: 'Model', type: 'model', required: false };

const cache = new WeakMap<RegisteredStrategy, StrategyInfo>();

/** Every registered strategy with its form, derived from the definitions (so a limit is written once). */
export function listStrategies(): StrategyInfo[] {
  return strategyDefinitions().map((definition) => {
    let info = cache.get(definition);
    if (!info) cache.set(definition, (info = describeStrategy(definition)));
    return info;
  });
}

function describeStrategy(definition: RegisteredStrategy): StrategyInfo {
  const json = z.toJSONSchema(definition.schema, { io: 'input', unrepresentable: 'any', cycles: 'ref' }) as {
    properties?: Record<string, JsonProperty>;
    required?: string[];
  };
  const properties = json.properties ?? {};
  const required = new Set(json.required ?? []);
  const fields = Object.entries(definition.form).map(([key, form]) => {
    const property = properties[key];
    if (!property) throw new EngineError(`strategy "${definition.kind}": form field "${key}" is not in its schema`);
    return describeField(key, form, property, form.required ?? required.has(key));
  });
  // Every step may name its model (fields.ts `stepModel()`): offered where the schema has it, without each
  // strategy writing the same form entry. First, because it says where the parameters below are spent.
  if (properties.model?.type === 'string' && !('model' in definition.form)) fields.unshift(MODEL_FIELD);
  return { kind: definition.kind, label: definition.label, summary: definition.describe, nests: (definition.nested?.length ?? 0) > 0, fields };
}

function describeField(key: string, form: FieldForm, property: JsonProperty, required: boolean): StrategyField {
  const base: FieldBase = { key, label: form.label, ...(form.help ? { help: form.help } : {}), ...(form.when ? { when: form.when } : {}) };
  if (form.widget === 'strategy') return { ...base, type: 'strategy', initial: String(form.initial ?? 'greedy') };
  if (form.widget === 'verifier') return { ...base, type: 'verifier', required };
  const placeholder = form.placeholder ?? (property.default !== undefined ? `default ${String(property.default)}` : undefined);
  const optional = { ...(placeholder !== undefined ? { placeholder } : {}) };
  if (property.enum) {
    const options = property.enum.map(String);
    const initial = form.initial !== undefined ? String(form.initial) : property.default !== undefined ? String(property.default) : undefined;
    return { ...base, type: 'select', options, required, ...optional, ...(initial !== undefined ? { initial } : {}) };
  }
  if (property.type === 'integer' || property.type === 'number') {
    const min = property.minimum ?? property.exclusiveMinimum ?? 0;
    const max = property.maximum ?? property.exclusiveMaximum ?? Number.MAX_SAFE_INTEGER;
    const initial = typeof form.initial === 'number' ? form.initial : undefined;
    return {
      ...base,
      type: property.type,
      min,
      max,
      required,
      ...optional,
      ...(form.step !== undefined ? { step: form.step } : {}),
      ...(initial !== undefined ? { initial } : {}),
    };
  }
  throw new EngineError(`strategy field "${key}" has a type the form cannot show (${String(property.type)}); give it a widget`);
}
