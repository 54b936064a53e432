import * as hf from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { tileCache } from '../../src/engine/transformers-prefill.js';
import { EngineError } from '../../src/errors.js';

/** Tiling a batch-1 KV cache to N rows: N copies along the batch axis, every entry, every dtype. */
describe('tileCache', () => {
  it('copies each entry N times along axis 0, keeping type and the other dims', async () => {
    const key = new hf.Tensor('float32', Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i), [1, 2, 3, 2]);
    const value = new hf.Tensor('float16', Uint16Array.from({ length: 2 * 3 * 2 }, (_, i) => 100 + i), [1, 2, 3, 2]);
    const cache = new hf.DynamicCache({ 'past_key_values.0.key': key, 'past_key_values.0.value': value });
    const tiled = await tileCache(hf, cache, 3);

    expect(Object.keys(tiled)).toEqual(['past_key_values.0.key', 'past_key_values.0.value']);
    expect(tiled.get_seq_length()).toBe(3);
    for (const [name, source] of [['past_key_values.0.key', key], ['past_key_values.0.value', value]] as const) {
      const t = tiled[name]!;
      expect(t.type).toBe(source.type);
      expect(t.dims).toEqual([3, 2, 3, 2]);
      const rows = [0, 1, 2].map((r) => Array.from(t.data as ArrayLike<number>).slice(r * 12, (r + 1) * 12));
      for (const row of rows) expect(row).toEqual(Array.from(source.data as ArrayLike<number>));
    }
    // The source is left as it was (the caller disposes it).
    expect(key.dims).toEqual([1, 2, 3, 2]);
  });

  it('refuses a cache with no entries: the model was exported without its KV cache', async () => {
    await expect(tileCache(hf, new hf.DynamicCache(), 4)).rejects.toBeInstanceOf(EngineError);
  });
});
