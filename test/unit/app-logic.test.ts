import { describe, expect, it } from 'vitest';
import { notesAfterLoad, notesBeforeLoad } from '../../src/app/device-notes.js';
import { parseJsonl, spread } from '../../src/app/eval-data.js';
import { sameAnswer } from '../../src/app/eval-runner.js';
import { buildSpec, describeSpec, initialValues, strategyInfos } from '../../src/app/strategy-forms.js';
import { findModel } from '../../src/models/catalog.js';
import { validateStrategy } from '../../src/request/schema.js';
import type { RuntimeInfo } from '../../src/types.js';

/** The app's pure parts: the strategy form table, device notes, evaluation data and scoring. */

describe('strategy forms', () => {
  it('every strategy kind has a form whose initial values make a valid spec', () => {
    for (const { kind } of strategyInfos()) {
      const spec = buildSpec(kind, initialValues(kind));
      expect(validateStrategy(spec), kind).toMatchObject({ kind });
    }
  });

  it('leaves out empty optional fields and fields hidden by others', () => {
    expect(buildSpec('adaptive-consistency', { maxSamples: undefined, criterion: 'entropy', threshold: '' })).toEqual({ kind: 'adaptive-consistency', criterion: 'entropy' });
    expect(buildSpec('cascade', { signal: 'logprob', threshold: 0.6, n: 7, then: { kind: 'greedy' } })).toEqual({ kind: 'cascade', signal: 'logprob', threshold: 0.6, then: { kind: 'greedy' } });
    expect(buildSpec('cascade', { signal: 'vote', threshold: 0.6, n: 7, then: { kind: 'greedy' } })).toMatchObject({ n: 7 });
    expect(buildSpec('best-of-n', { n: 4, scorer: 'logprob', verifier: { kind: 'arithmetic' } })).toEqual({ kind: 'best-of-n', n: 4, scorer: 'logprob' });
  });

  it('lists only fields the schema knows', () => {
    for (const { kind, fields } of strategyInfos()) {
      for (const field of fields) {
        const values = { ...initialValues(kind), [field.key]: field.type === 'strategy' ? { kind: 'greedy' } : field.type === 'verifier' ? { kind: 'arithmetic' } : undefined };
        // A spec with this field set must not be rejected as an unknown field.
        const spec = buildSpec(kind, { ...values, ...(field.type === 'integer' || field.type === 'number' ? { [field.key]: field.min === 0 && field.max === 1 ? 0.5 : Math.max(1, field.min) } : {}) });
        try {
          validateStrategy(spec);
        } catch (error) {
          expect((error as Error).message).not.toMatch(/unknown field/);
        }
      }
    }
  });

  it('describes specs briefly, nested ones included', () => {
    expect(describeSpec({ kind: 'greedy' })).toBe('greedy');
    expect(describeSpec({ kind: 'cascade', signal: 'vote', threshold: 0.8, n: 5, then: { kind: 'self-consistency', n: 8 } })).toBe('cascade signal=vote threshold=0.8 n=5 → self-consistency n=8');
    expect(describeSpec({ kind: 'wait', verifier: { kind: 'regex', pattern: '^\\d+$' } })).toBe('wait verifier=regex(^\\d+$)');
  });
});

describe('device notes', () => {
  const noGpu = { available: false, shaderF16: false, reason: 'WebGPU gave no adapter' };
  const gpuNoF16 = { available: true, shaderF16: false, reason: null };

  it('explains the WASM fallback, and blocks WebLLM without WebGPU', () => {
    expect(notesBeforeLoad(findModel('tiny-arith'), noGpu, 'auto')).toEqual([{ level: 'warn', text: expect.stringMatching(/not available \(WebGPU gave no adapter\).*WASM/) }]);
    expect(notesBeforeLoad(findModel('tiny-arith'), noGpu, 'wasm')).toEqual([]);
    expect(notesBeforeLoad(findModel('tiny-arith'), noGpu, 'webgpu')[0]!.level).toBe('error');
    expect(notesBeforeLoad(findModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC'), noGpu, 'auto')[0]).toMatchObject({ level: 'error', text: expect.stringMatching(/need WebGPU/) });
  });

  it('says which f32 build replaces an f16 one without shader-f16', () => {
    expect(notesBeforeLoad(findModel('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'), gpuNoF16, 'auto')).toEqual([
      { level: 'warn', text: expect.stringContaining('Qwen2.5-0.5B-Instruct-q4f32_1-MLC') },
    ]);
  });

  it('after loading, reports where the model runs and the runtime fallback', () => {
    const info = { model: 'tiny-arith', engine: 'transformers', device: 'wasm', fallback: 'WebGPU unavailable (x); using WASM', worker: true } as RuntimeInfo;
    expect(notesAfterLoad(info).map((n) => n.text)).toEqual(['WebGPU unavailable (x); using WASM.', 'tiny-arith runs on WASM (CPU) with transformers.js in a Web Worker.']);
  });

  it('after loading with a server model, names it and what it can do, and passes the warnings on', () => {
    const capabilities = { logprobs: true, batchedSampling: false } as RuntimeInfo['capabilities'];
    const info = {
      model: 'tiny-arith',
      engine: 'transformers',
      device: 'wasm',
      fallback: null,
      capabilities,
      worker: true,
      models: { local: { model: 'tiny-arith', engine: 'transformers', device: 'wasm', fallback: null, capabilities }, big: { model: 'my-7b', engine: 'openai', device: 'cpu', fallback: null, capabilities } },
      warnings: ['model "my-7b": family not recognised from its id; using the generic instruct prompts (pass family to choose)'],
    } as RuntimeInfo;
    expect(notesAfterLoad(info)).toEqual([
      { level: 'info', text: 'tiny-arith runs on WASM (CPU) with transformers.js in a Web Worker.' },
      { level: 'info', text: 'Model "big": my-7b with an OpenAI-compatible server, with log-probabilities, one sample per request.' },
      { level: 'warn', text: info.warnings[0] },
    ]);
  });
});

describe('evaluation data and scoring', () => {
  it('parses JSONL, reporting malformed lines by number', () => {
    const parsed = parseJsonl('{"prompt":"1+1","answer":"2"}\n\nnope\n{"prompt":"2-3","answer":-1}\n{"answer":"4"}\n');
    expect(parsed.items).toEqual([
      { prompt: '1+1', answer: '2' },
      { prompt: '2-3', answer: '-1' },
    ]);
    expect(parsed.problems).toEqual(['line 3: not JSON', 'line 5: needs "prompt" (text) and "answer" (text or number)']);
  });

  it('spreads a sample evenly over an ordered set', () => {
    expect(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(spread([1, 2], 5)).toEqual([1, 2]);
  });

  it('compares numbers as numbers and text loosely', () => {
    expect(sameAnswer('007', '7')).toBe(true);
    expect(sameAnswer('-1', '-1.0')).toBe(true);
    expect(sameAnswer(' Paris ', 'paris')).toBe(true);
    expect(sameAnswer(null, '1')).toBe(false);
    expect(sameAnswer('12', '21')).toBe(false);
  });
});
