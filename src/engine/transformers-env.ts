import { EngineError } from '../errors.js';
import type { ModelEntry } from '../models/catalog.js';
import type { Device } from '../types.js';
import type { DeviceRequest } from './device.js';

/**
 * Where transformers.js reads a model from and which device it runs on. The library keeps this in one global
 * `env`, so it is set before every load; the rules are "a model base means every model comes from there, never
 * a hub" and "ONNX Runtime's wasm is never fetched from a CDN" (the app must work offline).
 */

type TransformersModule = typeof import('@huggingface/transformers');

export const isNode =
  typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** Hugging Face's hub layout, written out: a previous load may have pointed `env` elsewhere. */
export const HUB = { host: 'https://huggingface.co/', template: '{model}/resolve/{revision}/' };

/** Node has onnxruntime-node on the CPU only; a WebGPU or WASM request is honoured as far as it can be, and said so. */
export function nodeDevice(requested: DeviceRequest): { device: Device; fallback: string | null } {
  if (requested === 'auto') return { device: 'cpu', fallback: null };
  return { device: 'cpu', fallback: `${requested} is not available in Node; using onnxruntime-node on the CPU` };
}

export function configureEnvironment(hf: TransformersModule, model: ModelEntry, modelBase: string | undefined): void {
  const { env } = hf;
  if (!isNode) {
    // Left at its default, ONNX Runtime fetches its wasm from a CDN; unset, it resolves the files next to
    // its own module (which the bundler emits), so the app works offline.
    const wasm = env.backends.onnx.wasm;
    if (wasm) wasm.wasmPaths = undefined as unknown as string;
  }
  if (modelBase === undefined) {
    if (model.bundled) throw new EngineError(`Bundled model "${model.id}" needs a modelBase to load from`);
    Object.assign(env, { allowLocalModels: false, allowRemoteModels: true, remoteHost: HUB.host, remotePathTemplate: HUB.template });
    return;
  }
  // A model base means "serve every model from here, never from a hub".
  if (isNode) {
    Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: ensureTrailingSlash(modelBase) });
    return;
  }
  const url = new URL(ensureTrailingSlash(modelBase), globalThis.location.href);
  if (url.origin === globalThis.location.origin) {
    // transformers.js only probes a local model path that is not a full URL: give it the path.
    Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: url.pathname });
  } else {
    // Another origin (an embedded widget's models): serve it as the "hub", with a flat layout.
    Object.assign(env, { allowLocalModels: false, allowRemoteModels: true, remoteHost: url.href, remotePathTemplate: '{model}/' });
  }
}

function ensureTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
