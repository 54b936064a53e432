import { z } from 'zod';
import '../request/zod-config.js';
import { InvalidRequestError, ModelNotFoundError } from '../errors.js';
import { issueError } from '../request/issue.js';
import type { EngineName } from '../types.js';
import { MODEL_CATALOG, type ModelEntry, type ModelFamily } from './catalog.js';

/**
 * A model the catalogue does not list, described by the page: enough to load it and to know which prompt
 * pack it speaks. `engine: 'openai'` models run behind a server (`server.baseUrl`).
 */
export interface ModelDescription {
  id: string;
  engine: EngineName;
  /** Which prompt pack it speaks; default: guessed from the id (qwen, llama, smollm, phi, gemma), else 'generic'. */
  family?: ModelFamily;
  /** transformers.js: the ONNX weights to load on every device (default q4); or per device. */
  dtype?: NonNullable<ModelEntry['dtype']>['webgpu'] | NonNullable<ModelEntry['dtype']>;
  contextLength?: number;
  label?: string;
  /** Bumped when the weights behind the id change, so old cached results are not served. */
  revision?: string;
  server?: ModelEntry['server'];
}

export type ModelChoice = string | ModelDescription;

/** A model ready to load, and what the page should hear about how it was read. */
export interface ResolvedModel {
  entry: ModelEntry;
  warnings: string[];
}

const FAMILY_HINTS: ReadonlyArray<[RegExp, ModelFamily]> = [
  [/qwen/i, 'qwen'],
  [/llama/i, 'llama'],
  [/smollm/i, 'smollm'],
  [/phi/i, 'phi'],
  [/gemma/i, 'gemma'],
];

const dtypeSchema = z.enum(['fp32', 'fp16', 'q8', 'q4', 'q4f16']);
const serverSchema = z
  .object({
    baseUrl: z.string().max(2048).url(),
    model: z.string().min(1).optional(),
    apiKey: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    maxConcurrency: z.number().int().min(1).max(256).optional(),
    timeoutMs: z.number().positive().optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
  })
  .strict();

export const modelDescriptionSchema = z
  .object({
    id: z.string().min(1).max(300),
    engine: z.enum(['transformers', 'webllm', 'openai']),
    family: z.enum(['tiny-arith', 'qwen', 'llama', 'smollm', 'phi', 'gemma', 'generic']).optional(),
    dtype: z.union([dtypeSchema, z.object({ webgpu: dtypeSchema, wasm: dtypeSchema, cpu: dtypeSchema }).strict()]).optional(),
    contextLength: z.number().int().min(16).max(10_000_000).optional(),
    label: z.string().max(200).optional(),
    revision: z.string().min(1).max(100).optional(),
    server: serverSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.engine === 'openai' && !d.server) ctx.addIssue({ code: 'custom', path: ['server'], message: "engine 'openai' needs server: { baseUrl }" });
    if (d.engine !== 'openai' && d.server) ctx.addIssue({ code: 'custom', path: ['server'], message: `only engine 'openai' runs on a server, not '${d.engine}'` });
  });

/** The family an id names, where that is safe to say. */
export function guessFamily(id: string): ModelFamily | null {
  return FAMILY_HINTS.find(([pattern]) => pattern.test(id))?.[1] ?? null;
}

/**
 * A catalogue id, a description, or an id with an engine (`createRuntime({ model, engine })`): the entry to
 * load. An unknown id with no engine cannot work, and `ModelNotFoundError` lists what would.
 */
export function resolveModel(choice: ModelChoice, engine: EngineName | 'auto', path = 'options.model'): ResolvedModel {
  if (typeof choice === 'string') {
    const known = MODEL_CATALOG.find((m) => m.id === choice);
    if (known) return { entry: known, warnings: [] };
    if (engine === 'auto') {
      throw new ModelNotFoundError(choice, [...MODEL_CATALOG.map((m) => m.id), "or any id with engine: 'transformers' | 'webllm', or a { id, engine, … } description"]);
    }
    // An id with an engine is a description too, and is held to the same limits (an id of 300 characters at most).
    const parsed = modelDescriptionSchema.safeParse({ id: choice, engine });
    if (!parsed.success) throw issueError(path, parsed.error.issues[0]!);
    return describe(parsed.data as ModelDescription, path);
  }
  let parsed: ReturnType<typeof modelDescriptionSchema.safeParse>;
  try {
    parsed = modelDescriptionSchema.safeParse(choice);
  } catch {
    // A getter or Proxy that throws as it is read: a bad description, not a TypeError from inside zod.
    throw new InvalidRequestError(path, 'the model description could not be read');
  }
  if (!parsed.success) {
    throw issueError(path, parsed.error.issues[0]!);
  }
  if (engine !== 'auto' && engine !== parsed.data.engine) {
    throw new InvalidRequestError('options.engine', `the model description says engine '${parsed.data.engine}', the options say '${engine}'`);
  }
  return describe(parsed.data as ModelDescription, path);
}

function describe(d: ModelDescription, path: string): ResolvedModel {
  const warnings: string[] = [];
  const known = MODEL_CATALOG.find((m) => m.id === d.id && m.engine === d.engine);
  const guessed = guessFamily(d.id);
  const family = d.family ?? known?.family ?? guessed ?? 'generic';
  if (!d.family && !known && !guessed) {
    warnings.push(`model "${d.id}": family not recognised from its id; using the generic instruct prompts (pass family to choose)`);
  }
  if (d.engine === 'openai' && !d.server) throw new InvalidRequestError(`${path}.server`, "engine 'openai' needs server: { baseUrl }");
  const dtype = typeof d.dtype === 'string' ? { webgpu: d.dtype, wasm: d.dtype, cpu: d.dtype } : (d.dtype ?? known?.dtype ?? { webgpu: 'q4', wasm: 'q4', cpu: 'q4' });
  const entry: ModelEntry = {
    ...(known ?? {}),
    id: d.id,
    label: d.label ?? known?.label ?? d.id,
    engine: d.engine,
    family,
    bundled: known?.bundled ?? false,
    downloadMB: known?.downloadMB ?? 0,
    memoryMB: known?.memoryMB ?? 0,
    contextLength: d.contextLength ?? known?.contextLength ?? 4096,
    revision: d.revision ?? known?.revision ?? 'main',
    ...(d.engine === 'transformers' ? { dtype } : {}),
    ...(d.server ? { server: d.server } : {}),
  };
  return { entry, warnings };
}
