import { z } from 'zod';
import '../request/zod-config.js';
import { InvalidRequestError } from '../errors.js';
import { issueError } from '../request/issue.js';
import type { RuntimeOptions } from './runtime.js';

const optionsSchema = z
  .object({
    // Model descriptions are checked in full by planModels, which names the field that is wrong.
    model: z.union([z.string().min(1), z.object({}).passthrough()]).optional(),
    models: z.record(z.string(), z.union([z.string().min(1), z.object({}).passthrough()])).optional(),
    engine: z.enum(['auto', 'transformers', 'webllm', 'openai']).optional(),
    device: z.enum(['auto', 'webgpu', 'wasm']).optional(),
    worker: z.boolean().optional(),
    modelBase: z.string().min(1).optional(),
    bundledBase: z.string().min(1).optional(),
    workerUrl: z.union([z.string().min(1), z.instanceof(URL)]).optional(),
    cache: z
      .union([
        z.literal(false),
        z.object({ ttlMs: z.number().positive().optional(), maxEntries: z.number().int().min(1).optional() }).strict(),
      ])
      .optional(),
    onProgress: z.custom<RuntimeOptions['onProgress']>((v) => typeof v === 'function', 'expected a function').optional(),
  })
  .strict();

export type ResolvedOptions = Required<Pick<RuntimeOptions, 'engine' | 'device'>> & RuntimeOptions;

export function resolveOptions(options: RuntimeOptions | undefined): ResolvedOptions {
  let result: ReturnType<typeof optionsSchema.safeParse>;
  try {
    result = optionsSchema.safeParse(options ?? {});
  } catch {
    // A getter or Proxy that throws as it is read: bad options, not a TypeError from inside zod.
    throw new InvalidRequestError('options', 'the options could not be read');
  }
  if (!result.success) {
    throw issueError('options', result.error.issues[0]!);
  }
  return { ...result.data, engine: result.data.engine ?? 'auto', device: result.data.device ?? 'auto' } as ResolvedOptions;
}
