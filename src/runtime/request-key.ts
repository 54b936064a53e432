import { cacheKey } from '../cache/key.js';
import type { ModelEntry } from '../models/catalog.js';
import type { NormalizedRequest } from '../request/schema.js';
import { modelsNamed, usesCallback } from '../strategies/spec-walk.js';
import type { EngineName } from '../types.js';

export type HeldModels = ReadonlyMap<string, { entry: ModelEntry; engine: EngineName; weights?: string }>;

/**
 * The result-cache key of a request, or null when the request must not be cached (`cache: 'bypass'`, or a
 * page `verify` callback, which is not part of the key and may change). It covers every model the request
 * can touch: the runtime's default and each one a step of the spec names, by what they are (id, revision,
 * engine, the weights loaded where the id does not say it), not by the runtime's names for them.
 */
export function requestKey(models: HeldModels, main: string, request: NormalizedRequest, named: ReadonlySet<string> = modelsNamed(request.strategy)): string | null {
  if (request.cache === 'bypass' || usesCallback(request.strategy)) return null;
  const first = models.get(main)!;
  const others = [...named]
    .filter((name) => name !== main)
    .sort()
    .map((name) => {
      const held = models.get(name);
      return held ? { name, id: held.entry.id, revision: held.entry.revision, engine: held.engine, weights: held.weights } : { name };
    });
  return cacheKey({
    model: first.entry.id,
    revision: first.entry.revision,
    engine: first.engine,
    // Absent (undefined) for engines whose id names the weights: stableStringify drops it, so their keys are unchanged.
    weights: first.weights,
    ...(others.length ? { others } : {}),
    strategy: request.strategy,
    answer: request.answer,
    sampling: request.sampling,
    messages: request.messages,
  });
}
