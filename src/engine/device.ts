import type { Device } from '../types.js';

export type DeviceRequest = 'auto' | 'webgpu' | 'wasm';

export interface GpuProbe {
  available: boolean;
  shaderF16: boolean;
  /** Why WebGPU cannot be used, when it cannot. */
  reason: string | null;
}

interface NavigatorWithGpu {
  gpu?: { requestAdapter(): Promise<{ features: ReadonlySet<string> } | null> };
}

/** Asks the browser for a WebGPU adapter; a missing API, a null adapter or a throw all mean "no WebGPU". */
export async function probeWebGpu(): Promise<GpuProbe> {
  const gpu = (globalThis.navigator as NavigatorWithGpu | undefined)?.gpu;
  if (!gpu) return { available: false, shaderF16: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, shaderF16: false, reason: 'WebGPU gave no adapter' };
    return { available: true, shaderF16: adapter.features.has('shader-f16'), reason: null };
  } catch (error) {
    return { available: false, shaderF16: false, reason: `WebGPU adapter request failed: ${String(error)}` };
  }
}

export async function resolveBrowserDevice(
  requested: DeviceRequest,
  probe: () => Promise<GpuProbe> = probeWebGpu,
): Promise<{ device: Device; fallback: string | null }> {
  if (requested === 'wasm') return { device: 'wasm', fallback: null };
  const gpu = await probe();
  if (gpu.available) return { device: 'webgpu', fallback: null };
  return { device: 'wasm', fallback: `WebGPU unavailable (${gpu.reason}); using WASM` };
}
