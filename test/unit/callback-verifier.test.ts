import { describe, expect, it } from 'vitest';
import type { VerifyInput } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';
import { tinyScript } from '../helpers/tiny-script.js';

const number = { kind: 'number' } as const;
const strategy = { kind: 'best-of-n', n: 3, scorer: 'verifier', verifier: { kind: 'callback' } } as const;
const drafts = () => tinyScript({ draft: ({ row }) => ['5', '4', '6'][row]! });

describe('callback verifier', () => {
  it("calls the page's function with the question, answer and text, and is never cached", async () => {
    const seen: VerifyInput[] = [];
    const { engine, runtime } = scriptedRuntime(drafts());
    const request = {
      prompt: '2+2',
      answer: number,
      strategy,
      verify: async (input: VerifyInput) => {
        seen.push(input);
        return input.answer === '4';
      },
    };
    const r = await runtime.solve(request);
    expect(r.answer).toBe('4');
    expect(seen).toContainEqual({ question: '2+2', answer: '4', text: '4' });
    expect(r.trace.find((e) => e.type === 'verify' && e.answer === '4')).toMatchObject({ verdict: true, by: 'verifier:callback' });
    const again = await runtime.solve(request);
    expect(again.cached).toBe(false);
    expect(engine.calls).toHaveLength(2);
    expect(await runtime.cache.stats()).toMatchObject({ entries: 0 });
  });

  it('a hung callback cannot hold the request: abort rejects, a deadline returns', async () => {
    const hang = () => new Promise<boolean>(() => {});
    const { runtime } = scriptedRuntime(drafts());
    const controller = new AbortController();
    const pending = runtime.solve({ prompt: '2+2', answer: number, strategy, verify: hang, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const started = Date.now();
    const r = await runtime.solve({ prompt: '2+2', answer: number, strategy, verify: hang, budget: { deadlineMs: 60 } });
    expect(Date.now() - started).toBeLessThan(500);
    expect(r).toMatchObject({ budgetExhausted: true, answer: '5' });
  });
});
