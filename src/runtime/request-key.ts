import { cacheKey } from '../cache/key.js';
import type { ModelEntry } from '../models/catalog.js';
import type { NormalizedRequest } from '../request/schema.js';
import { usesCallback } from '../strategies/spec-walk.js';
import type { EngineName } from '../types.js';

/**
 * The result-cache key of a request, or null when the request must not be cached (`cache: 'bypass'`, or a
 * page `verify` callback, which is not part of the key and may change).
 */
export function requestKey(model: ModelEntry, engine: EngineName, request: NormalizedRequest): string | null {
  if (request.cache === 'bypass' || usesCallback(request.strategy)) return null;
  return cacheKey({
    model: model.id,
    revision: model.revision,
    engine,
    strategy: request.strategy,
    answer: request.answer,
    sampling: request.sampling,
    messages: request.messages,
  });
}
