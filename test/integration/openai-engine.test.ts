import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confidenceTokenScore } from '../../src/confidence/signals.js';
import type { Engine, GenerateParams } from '../../src/engine/engine.js';
import { createOpenAIEngine, type OpenAIEngine } from '../../src/engine/openai.js';
import { createTransformersEngine } from '../../src/engine/transformers.js';
import { findModel } from '../../src/models/catalog.js';
import { bundledModelsFolder } from '../../src/models/node-base.js';
import { tinyArithModel, type FixtureModel } from '../helpers/openai-fixture-models.js';
import { startOpenAIServer, type FixtureServer } from '../helpers/openai-server.js';
import { loadReference } from '../helpers/reference.js';

/**
 * `engine: 'openai'` against the test server serving the real bundled tiny-arith model (transformers.js in
 * Node, offline), in vLLM's and llama-server's shapes: greedy answers, tokens and log-probabilities equal
 * the in-process transformers engine's, and the Self-REF confidence read from the server's top
 * alternatives equals the one read from the full distribution in process.
 */

const reference = loadReference();
const prompts = reference.fixedPrompts.slice(0, 6);
let model: FixtureModel;
let local: Engine;
const servers: FixtureServer[] = [];
const remotes: Partial<Record<'vllm' | 'llama-server', OpenAIEngine>> = {};

beforeAll(async () => {
  model = await tinyArithModel();
  local = await createTransformersEngine({ model: findModel('tiny-arith'), device: 'auto', modelBase: bundledModelsFolder() });
  for (const mode of ['vllm', 'llama-server'] as const) {
    const server = await startOpenAIServer({ mode, model });
    servers.push(server);
    remotes[mode] = await createOpenAIEngine({ baseUrl: `${server.url}/v1`, model: 'tiny-arith' });
  }
});

afterAll(async () => {
  await local?.dispose();
  await Promise.all(servers.map((s) => s.close()));
});

const greedy = (prompt: GenerateParams['prompt'], watch = true): GenerateParams => ({
  prompt,
  n: 1,
  temperature: 0,
  maxTokens: 12,
  ...(watch ? { watchTokens: ['<CN>', '<UN>'] } : {}),
});

describe.each(['vllm', 'llama-server'] as const)('OpenAI engine on the real tiny-arith model (%s shapes)', (mode) => {
  it('reports what the server is and can do', () => {
    const remote = remotes[mode]!;
    expect(remote.info().capabilities).toMatchObject({ logprobs: true, topLogprobs: 20, contextLength: 64, confidenceToken: true, batchedSampling: true });
  });

  it('greedy chat answers, tokens and log-probabilities equal the in-process engine', async () => {
    const remote = remotes[mode]!;
    for (const fixed of prompts) {
      const prompt = { messages: [{ role: 'user' as const, content: fixed.prompt }] };
      const [mine] = (await remote.generate(greedy(prompt))).generations;
      const [theirs] = (await local.generate(greedy(prompt))).generations;
      expect(mine!.text).toBe(theirs!.text);
      expect(`${mine!.text}${mine!.steps.at(-1)!.token}`).toBe(fixed.completion);
      expect(mine!.steps.map((s) => s.token)).toEqual(theirs!.steps.map((s) => s.token));
      mine!.steps.forEach((step, i) => expect(step.logprob).toBeCloseTo(theirs!.steps[i]!.logprob, 4));
      const score = confidenceTokenScore(mine!.steps, { confident: '<CN>', unsure: '<UN>' });
      expect(score).toBeCloseTo(confidenceTokenScore(theirs!.steps, { confident: '<CN>', unsure: '<UN>' })!, 4);
      expect(score).toBeCloseTo(fixed.confidence, 3);
    }
  });

  it('raw text prompts on /v1/completions (the model\'s trained format) answer alike', async () => {
    const remote = remotes[mode]!;
    for (const fixed of prompts.slice(0, 3)) {
      const prompt = { text: `<s>${fixed.prompt}=` };
      const [mine] = (await remote.generate(greedy(prompt, false))).generations;
      const [theirs] = (await local.generate(greedy(prompt, false))).generations;
      expect(mine!.text).toBe(theirs!.text);
      expect(mine!.text).toBe(fixed.answer);
    }
  });

  it('streams the same answer token by token', async () => {
    const remote = remotes[mode]!;
    const seen: string[] = [];
    const prompt = { text: `<s>${prompts[0]!.prompt}=` };
    const [g] = (await remote.generate({ ...greedy(prompt, false), onToken: (_row, token) => void seen.push(token) })).generations;
    expect(seen.join('')).toBe(g!.text);
    expect(g!.text).toBe(prompts[0]!.answer);
  });

  it('counts tokens with the server tokenizer, as the in-process engine does', async () => {
    const remote = remotes[mode]!;
    const prompt = { messages: [{ role: 'user' as const, content: prompts[0]!.prompt }] };
    expect(await remote.countTokensDetailed(prompt)).toEqual({ tokens: await local.countTokens(prompt), exact: true });
  });
});
