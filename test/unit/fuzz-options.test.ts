import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { InvalidRequestError, ModelNotFoundError } from '../../src/errors.js';
import { createInProcessRuntime } from '../../src/runtime/in-process.js';
import { recordFigure } from '../e2e/fixtures/reliability-figures.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { brokenInput, FUZZ_TIMEOUT, fuzzParams, hostile, MAX_MESSAGE, quotesExcerptOnly, MEGABYTE, outcomeOf, Tally, within, withUnhandledDetector } from './fuzz-support.js';

/**
 * `createRuntime` options from hostile callers, model descriptions (`{ id, engine, server: { baseUrl } }`)
 * among them, through the whole in-process path (options, the model plan, loading, the runtime's info)
 * with the engine loader replaced by a scripted engine: a runtime, or an InvalidRequestError /
 * ModelNotFoundError with a short message, and nothing else; `info()` never carries a megabyte either.
 */

const validOptions: unknown[] = [
  {},
  { model: 'tiny-arith', device: 'wasm', cache: { ttlMs: 60_000, maxEntries: 10 }, onProgress: () => {} },
  { model: 'onnx-community/Qwen3-1.7B-ONNX', engine: 'transformers' },
  { model: { id: 'my-org/my-model', engine: 'transformers', family: 'qwen', dtype: 'q4', contextLength: 2048, label: 'Mine', revision: '2' } },
  { model: { id: 'x', engine: 'transformers', dtype: { webgpu: 'q4', wasm: 'q8', cpu: 'fp32' } } },
  { model: { id: 'Qwen/Qwen2.5-7B-Instruct', engine: 'openai', server: { baseUrl: 'http://gpu-box:8000/v1', apiKey: 'k', headers: { 'x-a': 'b' }, maxConcurrency: 4, timeoutMs: 5_000, maxRetries: 2 } } },
  { models: { small: 'tiny-arith', big: { id: 'm', engine: 'openai', server: { baseUrl: 'http://localhost:8080' } } }, model: 'small' },
  { model: 'tiny-arith', modelBase: '/models/', bundledBase: '/bundled/', cache: false, worker: false },
];

const tally = new Tally();
afterAll(() => recordFigure('fuzz:runtime options', tally.counts));

const load = async () => scriptedEngine(() => '42');

async function createOne(options: unknown): Promise<string> {
  const outcome = await within(createInProcessRuntime(options as never, { store: memoryStore(), bundledBase: '/bundled/', worker: false, loadEngine: load }), 5_000);
  if (!outcome.settled) throw new Error(`createRuntime still pending after 5 s: ${String(JSON.stringify(options)).slice(0, 200)}`);
  if ('error' in outcome && outcome.error !== undefined) {
    const error = outcome.error;
    if (!(error instanceof InvalidRequestError || error instanceof ModelNotFoundError)) throw new Error(`${outcomeOf(error)} escaped: ${String(error).slice(0, 300)}`);
    expect(quotesExcerptOnly(error.message), error.message.slice(0, 200)).toBe(true);
    if (error instanceof InvalidRequestError) expect(error.path.startsWith('options')).toBe(true);
    return error.name;
  }
  const runtime = outcome.value!;
  expect(JSON.stringify(runtime.info()).length).toBeLessThan(20_000);
  await runtime.dispose();
  return 'created';
}

describe('hostile runtime options', () => {
  it('valid options broken in one place: a runtime, or a typed error with a short message', async () => {
    const { unhandled } = await withUnhandledDetector(() =>
      fc.assert(
        fc.asyncProperty(brokenInput(validOptions), async (options) => {
          tally.add(await createOne(options));
        }),
        fuzzParams,
      ),
    );
    expect(unhandled).toEqual([]);
  }, FUZZ_TIMEOUT);

  it('arbitrary values as the options, the model and the models', async () => {
    const { unhandled } = await withUnhandledDetector(() =>
      fc.assert(
        fc.asyncProperty(fc.oneof(hostile, hostile.map((model) => ({ model })), hostile.map((m) => ({ models: { a: m } })), hostile.map((server) => ({ model: { id: 'x', engine: 'openai', server } }))), async (options) => {
          tally.add(await createOne(options));
        }),
        fuzzParams,
      ),
    );
    expect(unhandled).toEqual([]);
  }, FUZZ_TIMEOUT);

  it('a megabyte id, name or URL is refused or quoted as an excerpt', async () => {
    const cases: unknown[] = [
      { model: MEGABYTE },
      { model: MEGABYTE, engine: 'transformers' },
      { model: { id: MEGABYTE, engine: 'webllm' } },
      { models: { [MEGABYTE]: 'tiny-arith' } },
      { model: { id: 'x', engine: 'openai', server: { baseUrl: `http://${MEGABYTE}` } } },
      { [MEGABYTE]: true },
    ];
    for (const options of cases) {
      const outcome = await createOne(options);
      expect(outcome).not.toBe('created');
      tally.add(outcome);
    }
  });
});
