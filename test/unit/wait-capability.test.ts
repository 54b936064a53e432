import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/cache/store.js';
import { findModel } from '../../src/models/catalog.js';
import { instructPack } from '../../src/prompts/instruct.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

describe('the instruct "Wait" nudge on an engine that cannot continue an assistant turn', () => {
  it('fails with InvalidRequestError naming the spec, not deep inside the engine', async () => {
    const base = scriptedEngine(() => 'The answer is 4.');
    const engine = scriptedEngine(() => 'The answer is 4.', {
      info: { engine: 'webllm', capabilities: { ...base.info().capabilities, continueAssistant: false } },
    });
    const runtime = createLocalRuntime({ engine, model: findModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC'), store: memoryStore(), pack: instructPack('qwen') });
    await expect(
      runtime.solve({ prompt: '2+2?', answer: { kind: 'number' }, strategy: { kind: 'cascade', signal: 'logprob', threshold: 1, then: { kind: 'wait' } } }),
    ).rejects.toMatchObject({ name: 'InvalidRequestError', path: 'strategy.then' });
    // The engine never saw an open assistant turn.
    expect(engine.calls.every((c) => !('messages' in c.prompt && c.prompt.continueFinal))).toBe(true);
  });
});
