import { InvalidRequestError } from '../errors.js';
import { resolveModel, type ModelChoice } from '../models/describe.js';
import type { ModelEntry } from '../models/catalog.js';
import type { EngineRequest } from '../engine/registry.js';

export interface PlannedModel {
  name: string;
  entry: ModelEntry;
}

export interface ModelPlan {
  /** The default first. */
  models: PlannedModel[];
  warnings: string[];
}

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/**
 * Which models a runtime holds, by name: `models` (the first, or `model` when it names one, is the default),
 * or the one `model` (named by its id). Checked before anything loads, so a typo fails at once.
 */
export function planModels(options: { model?: ModelChoice; models?: Record<string, ModelChoice>; engine: EngineRequest }): ModelPlan {
  const warnings: string[] = [];
  const read = (choice: ModelChoice, engine: EngineRequest, path: string) => {
    const resolved = resolveModel(choice, engine, path);
    warnings.push(...resolved.warnings);
    return resolved.entry;
  };
  if (!options.models) {
    const entry = read(options.model ?? 'tiny-arith', options.engine, 'options.model');
    return { models: [{ name: entry.id, entry }], warnings };
  }
  const names = Object.keys(options.models);
  if (names.length === 0) throw new InvalidRequestError('options.models', 'give at least one model');
  for (const name of names) if (!NAME.test(name)) throw new InvalidRequestError(`options.models.${name.slice(0, 40)}`, 'a model name is 1–64 letters, digits, ".", "_" or "-"');
  if (options.model !== undefined && (typeof options.model !== 'string' || !names.includes(options.model))) {
    throw new InvalidRequestError('options.model', `with models, model names the default one: one of ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  const first = (options.model as string | undefined) ?? names[0]!;
  const ordered = [first, ...names.filter((n) => n !== first)];
  return { models: ordered.map((name) => ({ name, entry: read(options.models![name]!, 'auto', `options.models.${name}`) })), warnings };
}
