import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { findModel } from '../../src/models/catalog.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

/**
 * One model id, two weight files (fp32 and q4 ONNX): they give different answers, so an answer the fp32 weights
 * stored must not be served to a runtime that runs q4 (a WebGPU page and a WASM page share one IndexedDB).
 */
describe('results cached by the weights that produced them', () => {
  const entry = findModel('tiny-reasoner')!;
  const runtimeOn = (weights: string, reply: string, store: ReturnType<typeof memoryStore>) =>
    createLocalRuntime({ model: entry, engine: scriptedEngine(() => reply, { info: { weights } }), store });
  const request = { prompt: 'What is 47*83+129?', answer: { kind: 'number' as const } };

  it('serves an answer to the same weights, not to other weights of the same model', async () => {
    const store = memoryStore();
    const fp32 = runtimeOn('fp32', 'Answer: 4030', store);
    expect((await fp32.solve(request)).answer).toBe('4030');
    await fp32.dispose();

    const again = runtimeOn('fp32', 'Answer: 1', store);
    const replayed = await again.solve(request);
    expect(replayed.cached).toBe(true);
    expect(replayed.answer).toBe('4030');
    await again.dispose();

    const q4 = runtimeOn('q4', 'Answer: 4130', store);
    expect(q4.info().weights).toBe('q4');
    expect(q4.info().models[entry.id]?.weights).toBe('q4');
    const own = await q4.solve(request);
    expect(own.cached).toBe(false);
    expect(own.answer).toBe('4130');
    await q4.dispose();
  });
});
