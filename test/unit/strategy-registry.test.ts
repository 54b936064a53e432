import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { buildSpec, describeSpec, initialValues, strategyInfo, strategyInfos } from '../../src/app/strategy-forms.js';
import { InvalidRequestError } from '../../src/errors.js';
import { validateStrategy } from '../../src/request/schema.js';
import { sampleDrafts } from '../../src/strategies/candidates.js';
import { defineStrategy } from '../../src/strategies/define.js';
import { sampleCount } from '../../src/strategies/fields.js';
import { fromCandidate } from '../../src/strategies/outcome.js';
import { registerStrategy } from '../../src/strategies/registry.js';
import type { StrategySpec } from '../../src/types.js';
import { scriptedRuntime } from '../helpers/runtime.js';

/**
 * Adding a strategy is one definition and one registration: this toy ("the longest of n samples") is
 * written here as a strategy file would be, and then validated, defaulted, cached, run through `solve()`
 * and offered by the app's form without touching any other file.
 */
const longest = defineStrategy({
  kind: 'toy-longest',
  label: 'Longest (toy)',
  describe: 'Sample n answers and keep the longest text.',
  schema: z.object({ kind: z.literal('toy-longest'), n: sampleCount().default(3), note: z.enum(['a', 'b']).default('a') }).strict(),
  form: { n: { label: 'Samples' }, note: { label: 'Note' } },
  async run(spec, ctx) {
    const samples = await sampleDrafts(ctx, spec.n);
    const best = [...samples].sort((a, b) => b.text.length - a.text.length)[0] ?? null;
    ctx.emit({ type: 'decision', choice: String(best?.answer), reason: `longest of ${samples.length}` });
    return fromCandidate(best, null);
  },
});
registerStrategy(longest);
const toy = (spec: Record<string, unknown>) => spec as unknown as StrategySpec;

describe('the strategy registry', () => {
  it('runs a newly registered strategy through solve(), with its schema defaults filled in', async () => {
    const { runtime, engine } = scriptedRuntime(({ row }) => ['1', '22', '333', '4444'][row % 4]!);
    const result = await runtime.solve({ prompt: '1+1', answer: { kind: 'number' }, strategy: toy({ kind: 'toy-longest' }) });
    expect(result.answer).toBe('333');
    expect(result.strategy).toEqual({ kind: 'toy-longest', n: 3, note: 'a' });
    expect(engine.calls[0]!.n).toBe(3);
    expect(result.trace.some((e) => e.type === 'decision' && e.reason === 'longest of 3')).toBe(true);
    // Defaults are part of the cache key: the spelled-out spec is the same request.
    const again = await runtime.solve({ prompt: '1+1', answer: { kind: 'number' }, strategy: toy({ kind: 'toy-longest', n: 3, note: 'a' }) });
    expect(again.cached).toBe(true);
  });

  it('validates it like any other, naming the field', () => {
    expect(() => validateStrategy({ kind: 'toy-longest', n: 65 })).toThrow(InvalidRequestError);
    expect(() => validateStrategy({ kind: 'toy-longest', n: 65 })).toThrow(/strategy\.n/);
    expect(() => validateStrategy({ kind: 'toy-longest', extra: 1 })).toThrow(/unknown field "extra"/);
    // It nests inside a cascade like a built-in.
    expect(validateStrategy({ kind: 'cascade', signal: 'logprob', threshold: 0.5, then: { kind: 'toy-longest', n: 2 } })).toMatchObject({ then: { n: 2, note: 'a' } });
  });

  it('appears in the app’s form with its ranges and defaults read from the schema', () => {
    expect(strategyInfos().map((s) => s.kind)).toContain('toy-longest');
    const info = strategyInfo('toy-longest');
    expect(info.fields).toEqual([
      { key: 'n', label: 'Samples', type: 'integer', min: 1, max: 64, required: false, placeholder: 'default 3' },
      { key: 'note', label: 'Note', type: 'select', options: ['a', 'b'], required: false, placeholder: 'default a', initial: 'a' },
    ]);
    const spec = buildSpec('toy-longest', { ...initialValues('toy-longest'), n: 5 });
    expect(validateStrategy(spec)).toEqual({ kind: 'toy-longest', n: 5, note: 'a' });
    expect(describeSpec(spec)).toBe('toy-longest n=5 note=a');
  });

  it('derives every built-in form limit from the schemas (no limit is written twice)', () => {
    const sc = strategyInfo('self-consistency').fields.find((f) => f.key === 'n');
    expect(sc).toMatchObject({ type: 'integer', min: 1, max: 64, initial: 8, required: true });
    const rounds = strategyInfo('self-refine').fields.find((f) => f.key === 'maxRounds');
    expect(rounds).toMatchObject({ min: 1, max: 8, placeholder: 'default 3' });
  });
});
