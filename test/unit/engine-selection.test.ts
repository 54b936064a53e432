import { describe, expect, it } from 'vitest';
import { resolveBrowserDevice } from '../../src/engine/device.js';
import { loadEngine } from '../../src/engine/load.js';
import { findModel, MODEL_CATALOG } from '../../src/models/catalog.js';

describe('engine selection', () => {
  it('the catalogue sends MLC builds to WebLLM and ONNX repositories to transformers.js', () => {
    for (const model of MODEL_CATALOG) expect(model.engine).toBe(model.id.endsWith('-MLC') ? 'webllm' : 'transformers');
  });

  it('every q4f16 WebLLM build names an existing q4f32 build for adapters without shader-f16', () => {
    for (const model of MODEL_CATALOG.filter((m) => m.needsShaderF16)) {
      expect(model.f32Variant).toBeDefined();
      expect(findModel(model.f32Variant!).needsShaderF16).toBeFalsy();
    }
  });

  it('an explicit engine that cannot load the model is an InvalidRequestError naming options.engine', async () => {
    await expect(loadEngine({ model: findModel('tiny-arith'), engine: 'webllm', device: 'auto' })).rejects.toMatchObject({
      name: 'InvalidRequestError',
      path: 'options.engine',
    });
    await expect(loadEngine({ model: findModel('Qwen3-0.6B-q4f32_1-MLC'), engine: 'transformers', device: 'auto' })).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
  });

  it('falls back to WASM, saying why, when WebGPU has no adapter', async () => {
    const none = async () => ({ available: false, shaderF16: false, reason: 'WebGPU gave no adapter' });
    const gpu = async () => ({ available: true, shaderF16: false, reason: null });
    expect(await resolveBrowserDevice('auto', none)).toEqual({ device: 'wasm', fallback: 'WebGPU unavailable (WebGPU gave no adapter); using WASM' });
    expect(await resolveBrowserDevice('webgpu', none)).toMatchObject({ device: 'wasm' });
    expect(await resolveBrowserDevice('auto', gpu)).toEqual({ device: 'webgpu', fallback: null });
    expect(await resolveBrowserDevice('wasm', gpu)).toEqual({ device: 'wasm', fallback: null });
  });
});
