/** The app's one runtime at a time: loading a model disposes the previous one first (memory is scarce). */
import { AbortError, createRuntime, type DeviceRequest, type ProgressEvent, type Runtime } from '../browser.js';

export interface Session {
  runtime(): Runtime | null;
  load(model: string, device: DeviceRequest, onProgress: (event: ProgressEvent) => void): Promise<Runtime>;
  onChange(listener: (runtime: Runtime | null) => void): void;
}

export function createSession(): Session {
  let current: Runtime | null = null;
  let generation = 0;
  const listeners: Array<(runtime: Runtime | null) => void> = [];
  const notify = () => listeners.forEach((listener) => listener(current));

  return {
    runtime: () => current,
    async load(model, device, onProgress) {
      const mine = ++generation;
      const previous = current;
      current = null;
      notify();
      await previous?.dispose().catch(() => {});
      const runtime = await createRuntime({ model, device, onProgress });
      if (mine !== generation) {
        // Another load started meanwhile: this one lost.
        await runtime.dispose();
        throw new AbortError('superseded by another model load');
      }
      current = runtime;
      notify();
      return runtime;
    },
    onChange: (listener) => void listeners.push(listener),
  };
}
