/**
 * The strategy picker's data: the library's strategy list (`listStrategies()`, derived from each strategy's
 * own definition) turned into form values and back into specs. A new strategy appears here by itself.
 */
import { InvalidRequestError, listStrategies, type StrategyField, type StrategyInfo, type StrategySpec, type VerifierKind, type VerifierSpec } from '../browser.js';

export type Values = Record<string, unknown>;
export type FieldSpec = StrategyField;

export function strategyInfos(): StrategyInfo[] {
  return listStrategies();
}

export function strategyInfo(kind: string): StrategyInfo {
  const info = listStrategies().find((s) => s.kind === kind);
  if (!info) throw new InvalidRequestError('strategy.kind', `unknown strategy kind "${kind}"`);
  return info;
}

/** Verifiers a person can configure in a form (a `callback` verifier needs code, not a form). */
export const VERIFIER_FORMS: Partial<Record<VerifierKind, { label: string; fields: Array<{ key: string; label: string; placeholder: string; json?: boolean }> }>> = {
  arithmetic: { label: 'arithmetic check', fields: [] },
  regex: { label: 'regular expression', fields: [{ key: 'pattern', label: 'Pattern', placeholder: '^-?\\d+$' }] },
  'json-schema': { label: 'JSON Schema', fields: [{ key: 'schema', label: 'Schema (JSON)', placeholder: '{"type":"integer"}', json: true }] },
};

export function isShown(field: FieldSpec, values: Values): boolean {
  return field.when ? field.when(values) : true;
}

/**
 * The spec for a kind from form values: hidden fields and empty optional ones are left out (so the
 * library's defaults apply and equal choices give equal cache keys). Validation is the library's job
 * (`validateStrategy`); this only assembles.
 */
export function buildSpec(kind: string, values: Values): StrategySpec {
  const spec: Record<string, unknown> = { kind };
  for (const field of strategyInfo(kind).fields) {
    if (!isShown(field, values)) continue;
    const value = values[field.key];
    if (value === undefined || value === null || value === '') continue;
    spec[field.key] = value;
  }
  return spec as unknown as StrategySpec;
}

/** Form values that reproduce a spec (for presets and for showing a spec back). */
export function valuesOf(spec: StrategySpec): Values {
  const { kind: _kind, ...rest } = spec as unknown as Record<string, unknown>;
  return rest;
}

export function initialValues(kind: string): Values {
  const values: Values = {};
  for (const field of strategyInfo(kind).fields) {
    if (field.type === 'strategy') values[field.key] = buildSpec(field.initial, initialValues(field.initial));
    else if ('initial' in field && field.initial !== undefined) values[field.key] = field.initial;
  }
  return values;
}

/**
 * A short human name for a spec, e.g. "self-consistency n=8", "cascade signal=vote threshold=0.7 → greedy"
 * or, for a step that names its model, "self-consistency n=4 on big".
 */
export function describeSpec(spec: StrategySpec): string {
  const nested = new Set(strategyInfo(spec.kind).fields.filter((f) => f.type === 'strategy').map((f) => f.key));
  const parts: string[] = [];
  const inner: string[] = [];
  let model = '';
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'kind') continue;
    if (nested.has(key)) inner.push(describeSpec(value as StrategySpec));
    else if (key === 'model') model = ` on ${String(value)}`;
    else parts.push(`${key}=${describeValue(value)}`);
  }
  const head = (parts.length ? `${spec.kind} ${parts.join(' ')}` : spec.kind) + model;
  return [head, ...inner].join(' → ');
}

function describeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'kind' in value) {
    const verifier = value as VerifierSpec;
    return verifier.kind === 'regex' ? `regex(${verifier.pattern})` : verifier.kind;
  }
  return String(value);
}
