/**
 * The strategy form's Model select: the runtime's models as a person reads them, and the choices one step
 * offers. Pure (no DOM), so the rules are unit-tested.
 */
import type { RuntimeInfo } from '../browser.js';

/** One of the runtime's models: its name (what `spec.model` says) and what it is, e.g. "tiny-arith on a server". */
export interface ModelOption {
  name: string;
  detail: string;
}

export interface ModelChoice {
  /** '' leaves `model` out of the spec. */
  value: string;
  label: string;
}

/** The runtime's models, the default first (as `info().models` lists them). */
export function modelOptions(info: RuntimeInfo): ModelOption[] {
  return Object.entries(info.models).map(([name, m]) => ({ name, detail: `${m.model} ${m.engine === 'openai' ? 'on a server' : 'on this device'}` }));
}

/** A select's label: "big — tiny-arith on a server". */
export const optionLabel = (option: ModelOption) => `${option.name} — ${option.detail}`;

/** A model named in a sentence: "big (tiny-arith on a server)"; a name the list lacks as it is. */
export function describeModel(models: readonly ModelOption[], name: string): string {
  const option = models.find((m) => m.name === name);
  return option ? `${name} (${option.detail})` : name;
}

/**
 * One step's choices. A step that names no model runs where its parent does (the runtime's default at the
 * top), so the empty choice is shown as that model and the others are listed after it: naming the model it
 * would run on anyway only changes the spec, and with it the cache key.
 */
export function modelChoices(models: readonly ModelOption[], inherited: string, top: boolean): ModelChoice[] {
  const own = models.find((m) => m.name === inherited);
  const note = top ? 'default' : 'as the step above';
  const first: ModelChoice = { value: '', label: own ? `${optionLabel(own)} (${note})` : note };
  return [first, ...models.filter((m) => m.name !== inherited).map((m) => ({ value: m.name, label: optionLabel(m) }))];
}
