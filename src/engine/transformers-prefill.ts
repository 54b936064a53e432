import type { DynamicCache, Tensor } from '@huggingface/transformers';
import { EngineError } from '../errors.js';

/**
 * Shared prefill: the N samples of one prompt read the prompt once. The prompt runs at batch 1 (its last
 * logits give every row its first token), the KV cache it leaves is tiled N times along the batch axis, and
 * the N rows decode from there. Reading the prompt is most of the work of a short answer to a long prompt,
 * so this replaces N prompt passes by one.
 *
 * Every cache entry is tiled along axis 0 whatever its layout: `[batch, heads, seq, dim]` and the older
 * `[batch × heads, seq, dim]` both keep the batch outermost, so N copies one after another are N rows.
 */

type TransformersModule = typeof import('@huggingface/transformers');
type TypedArray = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export async function tileCache(hf: TransformersModule, cache: DynamicCache, rows: number): Promise<DynamicCache> {
  const names = Object.keys(cache);
  // A model exported without its KV cache cannot generate in transformers.js at all (it feeds only the newest
  // token), so an empty cache here is a broken export rather than something to work around.
  if (names.length === 0) throw new EngineError('The prompt pass left no KV cache to share: the model was exported without one');
  const tiled: Record<string, Tensor> = {};
  for (const name of names) tiled[name] = await tile(hf, cache[name]!, rows);
  return new hf.DynamicCache(tiled);
}

async function tile(hf: TransformersModule, tensor: Tensor, rows: number): Promise<Tensor> {
  // On WebGPU the cache stays in GPU buffers: read it back once; ONNX Runtime uploads the copies on the next
  // step. (ORT offers no tensor ops outside a session, so the copy cannot stay on the GPU.)
  const data = (tensor.location === 'gpu-buffer' ? await tensor.ort_tensor.getData() : tensor.data) as TypedArray;
  const out = new (data.constructor as new (length: number) => TypedArray)(data.length * rows);
  for (let row = 0; row < rows; row++) out.set(data as never, row * data.length);
  const [batch, ...rest] = tensor.dims;
  return new hf.Tensor(tensor.type, out, [batch! * rows, ...rest]);
}
