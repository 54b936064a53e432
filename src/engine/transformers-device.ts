import { DeviceLostError, SecondThoughtError } from '../errors.js';

/**
 * How a lost WebGPU device shows itself under transformers.js. transformers.js does not watch for it: ONNX
 * Runtime Web (1.2x+, the WebGPU EP built into its wasm) requests one `GPUDevice` for all its sessions and
 * keeps it at `ort.env.webgpu.device` (transformers.js' `env.backends.onnx`), where its `lost` promise
 * resolves with `{ reason, message }` once the device is gone (`'destroyed'` after `destroy()`, `'unknown'`
 * after a driver reset or a GPU process crash). Calls made after that fail with messages that say so in
 * several ways, and some never settle, so the engine both classifies errors and races its calls against
 * `lost`.
 */

type TransformersModule = typeof import('@huggingface/transformers');

interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
}

export interface DeviceWatch {
  /** Why the device went, once it has. */
  lost(): DeviceLostError | null;
  /** Rejects with DeviceLostError once the device is lost; never resolves. */
  readonly whenLost: Promise<never>;
}

/** Messages the WebGPU EP, Dawn and the browser give for work on a lost or destroyed device. */
const LOST_MESSAGE = /device (?:is |was |has been )?lost|devicelost|lost (?:the |its )?(?:gpu )?device|device[^.]{0,40}destroyed|destroyed[^.]{0,40}device/i;

export function isLostDeviceMessage(message: string): boolean {
  return LOST_MESSAGE.test(message);
}

function readDevice(hf: TransformersModule): GpuDeviceLike | null {
  const webgpu = (hf.env.backends.onnx as { webgpu?: { device?: unknown } } | undefined)?.webgpu;
  const device = webgpu?.device as Partial<GpuDeviceLike> | undefined;
  return device && typeof device.lost?.then === 'function' ? (device as GpuDeviceLike) : null;
}

/**
 * Watches the device ONNX Runtime holds now (call it after a model has loaded on WebGPU: the device is
 * made with the first session). Returns null where there is none to watch (WASM, Node).
 */
export function watchDevice(hf: TransformersModule): DeviceWatch | null {
  const device = readDevice(hf);
  if (!device) return null;
  let lost: DeviceLostError | null = null;
  const whenLost = device.lost.then((info) => {
    lost = new DeviceLostError(`The WebGPU device was lost (${info?.reason ?? 'unknown'}): ${String(info?.message ?? '').slice(0, 200) || 'no message'}`, {
      reason: info?.reason ?? 'unknown',
    });
    throw lost;
  });
  // Nobody may be awaiting it when the device goes: that is not an unhandled rejection.
  whenLost.catch(() => undefined);
  return { lost: () => lost, whenLost };
}

/** How long a failed call waits for `lost` to say whether the device went (the error can come first). */
export const LOST_GRACE_MS = 300;

/**
 * The DeviceLostError a failure means, or null when it means something else: a lost device (the watch saw
 * it, at once or within LOST_GRACE_MS: a read-back on a destroyed device fails before `lost` resolves,
 * with "Buffer was unmapped before mapping was resolved"), or a message that names one.
 */
export async function asDeviceLost(cause: unknown, watch: DeviceWatch | null, graceMs = LOST_GRACE_MS): Promise<DeviceLostError | null> {
  if (cause instanceof DeviceLostError) return cause;
  if (watch && !watch.lost() && !(cause instanceof SecondThoughtError)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([watch.whenLost.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }
  const seen = watch?.lost();
  if (seen) return seen;
  if (cause instanceof SecondThoughtError) return null;
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  if (!isLostDeviceMessage(message)) return null;
  return new DeviceLostError(`The WebGPU device was lost: ${message.slice(0, 200)}`, { reason: 'unknown' });
}
