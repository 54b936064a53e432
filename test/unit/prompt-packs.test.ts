import { describe, expect, it } from 'vitest';
import type { Engine, GenerateParams } from '../../src/engine/engine.js';
import { ContextLengthError } from '../../src/errors.js';
import { findModel } from '../../src/models/catalog.js';
import { CRITIQUE_PROMPT, instructPack, IOE_FOLLOW_UP, IOE_REVIEW, VERIFY_PROMPT } from '../../src/prompts/instruct.js';
import { parseVerdict } from '../../src/prompts/verdicts.js';
import { tinyArithPack } from '../../src/prompts/tiny-arith.js';
import { createLocalRuntime } from '../../src/runtime/local.js';
import type { ChatMessage, TraceEvent } from '../../src/types.js';
import { scriptedEngine, type Script } from '../helpers/scripted-engine.js';

const number = { kind: 'number' } as const;
const decisions = (trace: TraceEvent[]) => trace.filter((e): e is Extract<TraceEvent, { type: 'decision' }> => e.type === 'decision');
const pack = instructPack('qwen');

/** With `pYes`, verification calls get a worked reply ending in the verdict, whose P(Yes) is `pYes(messages)`. */
function instructRuntime(script: Script, pYes?: (messages: ChatMessage[]) => number) {
  const inner = scriptedEngine(script);
  const engine: Engine & { calls: GenerateParams[] } = {
    ...inner,
    calls: inner.calls,
    async generate(params) {
      const out = await inner.generate(params);
      if (pYes && params.watchTokens?.includes('Yes') && 'messages' in params.prompt) {
        // A verification reply as VERIFY_PROMPT asks for it: some working, the verdict on the last line.
        const p = pYes(params.prompt.messages);
        const verdict = p >= 0.5 ? 'Yes' : 'No';
        const watched = { Yes: Math.log(p), No: Math.log(1 - p) };
        out.generations = out.generations.map(() => ({
          text: `I worked it out.\n${verdict}`,
          steps: [...['I', ' worked', ' it', ' out', '.', '\n'].map((token) => ({ token, logprob: Math.log(0.9) })), { token: verdict, logprob: Math.log(0.9), watched }],
          finishReason: 'stop' as const,
        }));
      }
      return out;
    },
  };
  const runtime = createLocalRuntime({ engine, model: findModel('tiny-arith'), store: null, pack });
  return { engine, runtime };
}

const messagesOf = (params: GenerateParams) => ('messages' in params.prompt ? params.prompt.messages : []);
const last = (params: GenerateParams) => messagesOf(params).at(-1)!;

describe('verdict parsing', () => {
  it.each([
    ['Yes, 936 is right.', true],
    ['No. It should be 946.', false],
    ['**Yes**', true],
    ['The answer is correct.', true],
    ['This is incorrect: 347+589 is 936.', false],
    ['That is not correct.', false],
    ['Verdict: incorrect', false],
    ['The first step is right, but the sum is wrong. Verdict: correct', true],
    ['Correct!', true],
    ['Wrong', false],
    ['Hmm, let me think about it.', null],
  ] as const)('%j → %s', (text, verdict) => {
    expect(parseVerdict(text)).toBe(verdict);
  });
});

describe('instruct pack prompts', () => {
  it('self-verification sends the question and the proposed answer, and reads the verdict on the last line', async () => {
    const { engine, runtime } = instructRuntime(
      ({ prompt }) => ('messages' in prompt && prompt.messages.at(-1)!.content.includes(VERIFY_PROMPT) ? 'No, it is 936.' : 'So the sum is 946.'),
      () => 0.2,
    );
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'best-of-n', n: 2, scorer: 'self-verify' } });
    const verify = engine.calls[1]!;
    expect(verify).toMatchObject({ n: 1, temperature: 0, watchTokens: ['Yes', 'No'] });
    expect(messagesOf(verify)[0]!.role).toBe('system');
    expect(last(verify)).toEqual({
      role: 'user',
      content: `Question:\nWhat is 347 + 589?\n\nProposed answer:\nSo the sum is 946.\n\n${VERIFY_PROMPT}`,
    });
    expect(r.trace.find((e) => e.type === 'verify')).toMatchObject({ answer: '946', verdict: false, score: expect.closeTo(0.2, 6) });
  });

  it('self-verification reads the verdict and P(Yes) where the model wrote its last "Yes"/"No", after its working', async () => {
    const inner = scriptedEngine(({ prompt }) =>
      'messages' in prompt && prompt.messages.at(-1)!.content.includes(VERIFY_PROMPT) ? 'No carry: 347+589=936, not 946.\nNo' : 'So the sum is 946.',
    );
    // Word-sized tokens, as real tokenizers give "Yes"/"No"; each position reports its own P(Yes).
    const engine: Engine = {
      ...inner,
      async generate(params) {
        const out = await inner.generate(params);
        for (const g of out.generations) {
          const words = g.text.split(/(?=\s)/);
          g.steps = words.map((token, i) => ({ token, logprob: Math.log(0.9), watched: { Yes: Math.log((i + 1) / 100), No: Math.log(1 - (i + 1) / 100) } }));
        }
        return out;
      },
    };
    const runtime = createLocalRuntime({ engine, model: findModel('tiny-arith'), store: null, pack });
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'best-of-n', n: 1, scorer: 'self-verify' } });
    const words = 'No carry: 347+589=936, not 946.\nNo'.split(/(?=\s)/).length;
    expect(r.trace.find((e) => e.type === 'verify')).toMatchObject({ verdict: false, score: expect.closeTo(words / 100, 6) });
    expect(pack.verify([{ role: 'user', content: 'q' }], { text: 'a', answer: 'a' }).maxTokens).toBeGreaterThanOrEqual(256);
  });

  it('critique and refinement: feedback goes back to the model as a new turn', async () => {
    const replies = ['I think it is 946.', 'The sum is wrong: 347 + 589 = 936. Verdict: incorrect', 'You are right, it is 936.', 'Verdict: correct'];
    let i = 0;
    const { engine, runtime } = instructRuntime(() => replies[i++] ?? 'Verdict: correct', (m) => (m.at(-1)!.content.includes('936') ? 0.9 : 0.1));
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'self-refine' } });
    expect(r.answer).toBe('936');
    expect(last(engine.calls[1]!).content).toContain(CRITIQUE_PROMPT);
    const refine = messagesOf(engine.calls[2]!);
    expect(refine.slice(-2)).toEqual([
      { role: 'assistant', content: 'I think it is 946.' },
      { role: 'user', content: expect.stringContaining('The sum is wrong: 347 + 589 = 936. Verdict: incorrect') },
    ]);
    expect(r.trace.filter((e) => e.type === 'critique').map((e) => e.type === 'critique' && e.says)).toEqual(['incorrect', 'correct']);
  });

  it('IoE uses the paper’s wording, and its follow-up only when the answers differ', async () => {
    const replies = ['It is 946.', 'Let me recheck: 936.', 'The best answer is 936.'];
    let i = 0;
    const { engine, runtime } = instructRuntime(() => replies[i++] ?? 'Still 936.', (m) => (m.at(-1)!.content.includes('936') ? 0.9 : 0.1));
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'self-refine', prompts: 'ioe', maxRounds: 1 } });
    expect(r.answer).toBe('936');
    const review = messagesOf(engine.calls[1]!);
    expect(review.slice(-2)).toEqual([
      { role: 'assistant', content: 'It is 946.' },
      { role: 'user', content: IOE_REVIEW },
    ]);
    expect(IOE_REVIEW).toBe('Review your previous answer. If you are confident about your answer, maintain your answer. Otherwise, update your answer.');
    const followUp = messagesOf(engine.calls[2]!);
    expect(followUp.slice(-3)).toEqual([
      { role: 'user', content: IOE_REVIEW },
      { role: 'assistant', content: 'Let me recheck: 936.' },
      { role: 'user', content: IOE_FOLLOW_UP },
    ]);

    i = 0;
    const same = instructRuntime(() => ['It is 936.', 'I maintain 936.'][i++] ?? '936');
    const kept = await same.runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'self-refine', prompts: 'ioe' } });
    expect(kept.answer).toBe('936');
    expect(same.engine.calls).toHaveLength(2);
  });

  it('IoE keeps the review when the follow-up no longer fits the context (a long review), and says so', async () => {
    const replies = ['It is 946.', 'Let me recheck: 936.'];
    let i = 0;
    const { engine, runtime } = instructRuntime(() => replies[i++] ?? '936', (m) => (m.at(-1)!.content.includes('936') ? 0.9 : 0.1));
    const generate = engine.generate.bind(engine);
    engine.generate = async (params) => {
      if ('messages' in params.prompt && params.prompt.messages.at(-1)!.content === IOE_FOLLOW_UP) throw new ContextLengthError(1057, 1024);
      return generate(params);
    };
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'self-refine', prompts: 'ioe', maxRounds: 1 } });
    expect(r.answer).toBe('936');
    expect(decisions(r.trace)[0]).toMatchObject({ choice: 'no reconcile', reason: expect.stringMatching(/does not fit the model's context: Prompt is 1057 tokens/) });
  });

  it('a refinement that no longer fits the context leaves the draft standing', async () => {
    const replies = ['It is 946.', 'Step 1 is wrong. Verdict: incorrect'];
    let i = 0;
    const { engine, runtime } = instructRuntime(() => replies[i++] ?? 'Verdict: incorrect');
    const generate = engine.generate.bind(engine);
    engine.generate = async (params) => {
      if ('messages' in params.prompt && params.prompt.messages.at(-1)!.content.startsWith('Here is feedback')) throw new ContextLengthError(1100, 1024);
      return generate(params);
    };
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'self-refine', maxRounds: 1 } });
    expect(r.answer).toBe('946');
    expect(decisions(r.trace).map((e) => e.choice)).toContain('no refine');
  });

  it('the Wait nudge leaves the assistant turn open after "Wait,"', async () => {
    const replies = ['347 + 589 = 946.', ' 7 + 9 = 16, so 347 + 589 = 936.'];
    let i = 0;
    const { engine, runtime } = instructRuntime(() => replies[i++] ?? 'Yes', (m) => (m.at(-1)!.content.includes('936') ? 0.9 : 0.1));
    const r = await runtime.solve({ prompt: 'What is 347 + 589?', answer: number, strategy: { kind: 'wait' } });
    const nudge = engine.calls[1]!.prompt;
    expect(nudge).toMatchObject({ continueFinal: true });
    expect('messages' in nudge && nudge.messages.at(-1)).toEqual({ role: 'assistant', content: '347 + 589 = 946.\n\nWait,' });
    expect(r.answer).toBe('936');
    expect(r.text).toBe('347 + 589 = 946.\n\nWait, 7 + 9 = 16, so 347 + 589 = 936.');
  });

  it('a cascade on the confidence token is refused for models without one', async () => {
    const { runtime } = instructRuntime(() => '1');
    await expect(
      runtime.solve({ prompt: 'q', strategy: { kind: 'cascade', signal: 'confidence-token', threshold: 0.5, then: { kind: 'greedy' } } }),
    ).rejects.toMatchObject({ name: 'InvalidRequestError', path: 'strategy.signal' });
  });
});

describe('instruct families', () => {
  it('Gemma (no system role) gets the instructions in its first user turn', () => {
    const gemma = instructPack('gemma');
    const q = [{ role: 'user' as const, content: 'What is 2 + 2?' }];
    const draft = gemma.draft(q);
    expect('messages' in draft && draft.messages).toEqual([{ role: 'user', content: expect.stringMatching(/^You are a careful assistant[\s\S]*\n\nWhat is 2 \+ 2\?$/) }]);
    const verify = gemma.verify(q, { text: '4', answer: '4' }).prompt;
    expect('messages' in verify && verify.messages.every((m) => m.role !== 'system')).toBe(true);
    const own = gemma.draft([{ role: 'system', content: 'Be brief.' }, ...q]);
    expect('messages' in own && own.messages).toEqual([{ role: 'user', content: 'Be brief.\n\nWhat is 2 + 2?' }]);
    const qwen = instructPack('qwen').draft(q);
    expect('messages' in qwen && qwen.messages[0]!.role).toBe('system');
  });
});

describe('tiny-arith pack', () => {
  it('speaks the trained formats', () => {
    const q = [{ role: 'user' as const, content: '347+589' }];
    const claim = { text: '946', answer: '946' };
    const verify = tinyArithPack.verify(q, claim);
    expect(verify.prompt).toEqual({ text: '<s>347+589=946?' });
    expect(verify.watchTokens).toEqual(['Y', 'N']);
    expect(tinyArithPack.nudge(q, claim).prompt).toEqual(verify.prompt);
    expect(tinyArithPack.review(q, claim).prompt).toEqual(verify.prompt);
    expect(tinyArithPack.refine(q, claim, { says: 'incorrect', text: '936N', restated: '936' })).toBeNull();
    const steps = [..."936"].map((token) => ({ token, logprob: -0.1 }));
    const judged = verify.parse({
      text: '936N',
      steps: [...steps, { token: 'N', logprob: -0.2, watched: { Y: Math.log(0.25), N: Math.log(0.75) } }],
      finishReason: 'stop',
    });
    expect(judged).toEqual({ verdict: false, score: 0.25, restated: '936', text: '936N' });
  });
});
