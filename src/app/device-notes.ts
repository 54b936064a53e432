/**
 * What the model picker tells a person about their device, before and after loading: pure, from the
 * WebGPU probe, the catalogue entry and the device asked for.
 */
import { type DeviceRequest, type GpuProbe, type ModelEntry, type RuntimeInfo } from '../browser.js';

export interface Note {
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** Notes before loading. An 'error' note means the choice cannot load here. */
export function notesBeforeLoad(model: ModelEntry, gpu: GpuProbe, device: DeviceRequest): Note[] {
  const notes: Note[] = [];
  if (model.engine === 'webllm') {
    if (!gpu.available) {
      notes.push({ level: 'error', text: `WebLLM models need WebGPU, which is not available here (${gpu.reason}). Pick tiny-arith or an ONNX model: they run on WASM.` });
    } else if (device === 'wasm') {
      notes.push({ level: 'error', text: 'WebLLM models run on WebGPU only; choose device “auto” or “WebGPU”.' });
    } else if (model.needsShaderF16 && !gpu.shaderF16) {
      notes.push({ level: 'warn', text: `This GPU has no shader-f16: the f32 build ${model.f32Variant ?? '(none)'} will load instead (more memory).` });
    }
    return notes;
  }
  if (!gpu.available && device !== 'wasm') {
    notes.push(
      device === 'webgpu'
        ? { level: 'error', text: `WebGPU was asked for but is not available (${gpu.reason}). Choose “auto” or “WASM”.` }
        : { level: 'warn', text: `WebGPU is not available (${gpu.reason}): the model will run on WASM (CPU) instead.` },
    );
  }
  if (!model.bundled) notes.push({ level: 'info', text: 'Downloaded from the model hub on first load, then kept in the browser cache.' });
  return notes;
}

const ENGINE_LABELS: Record<RuntimeInfo['engine'], string> = { transformers: 'transformers.js', webllm: 'WebLLM', openai: 'an OpenAI-compatible server' };

/** Notes after loading: where it runs, and why if that is not what was asked for; a server model's abilities. */
export function notesAfterLoad(info: RuntimeInfo): Note[] {
  const where = `${info.model} runs on ${info.device === 'webgpu' ? 'WebGPU' : info.device === 'wasm' ? 'WASM (CPU)' : info.device} with ${ENGINE_LABELS[info.engine]}${info.worker ? ' in a Web Worker' : ''}.`;
  const notes: Note[] = info.fallback ? [{ level: 'warn', text: `${info.fallback}.` }, { level: 'info', text: where }] : [{ level: 'info', text: where }];
  // The default model is the first; the others are named as strategies name them (`model: 'big'`).
  for (const [name, m] of Object.entries(info.models ?? {}).slice(1)) {
    const abilities = m.engine === 'openai' ? `, ${m.capabilities.logprobs ? 'with' : 'without'} log-probabilities, ${m.capabilities.batchedSampling ? 'several samples per request' : 'one sample per request'}` : ` on ${m.device}`;
    notes.push({ level: 'info', text: `Model "${name}": ${m.model} with ${ENGINE_LABELS[m.engine]}${abilities}.` });
  }
  for (const warning of info.warnings ?? []) notes.push({ level: 'warn', text: warning });
  return notes;
}
