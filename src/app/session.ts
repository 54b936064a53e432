/** The app's one runtime at a time: loading a model disposes the previous one first (memory is scarce). */
import { AbortError, createRuntime, type DeviceRequest, type ModelFamily, type ProgressEvent, type Runtime } from '../browser.js';

/** The runtime's names for the two models when a server is given (what `spec.model` and `usage.byModel` say). */
export const LOCAL_MODEL = 'local';
export const SERVER_MODEL = 'big';

/** A larger model behind an OpenAI-compatible server. The key lives only in this object and the runtime. */
export interface ServerChoice {
  baseUrl: string;
  id: string;
  family?: ModelFamily;
  apiKey?: string;
}

export interface Session {
  runtime(): Runtime | null;
  /** With `server`, the runtime holds the picked model (the default, as `LOCAL_MODEL`) and the server's as `SERVER_MODEL`. */
  load(model: string, device: DeviceRequest, onProgress: (event: ProgressEvent) => void, server?: ServerChoice): Promise<Runtime>;
  onChange(listener: (runtime: Runtime | null) => void): void;
}

export function createSession(): Session {
  let current: Runtime | null = null;
  let generation = 0;
  const listeners: Array<(runtime: Runtime | null) => void> = [];
  const notify = () => listeners.forEach((listener) => listener(current));

  return {
    runtime: () => current,
    async load(model, device, onProgress, server) {
      const mine = ++generation;
      const previous = current;
      current = null;
      notify();
      await previous?.dispose().catch(() => {});
      const runtime = await createRuntime(
        server
          ? {
              models: {
                [LOCAL_MODEL]: model,
                [SERVER_MODEL]: {
                  id: server.id,
                  engine: 'openai',
                  ...(server.family ? { family: server.family } : {}),
                  server: { baseUrl: server.baseUrl, ...(server.apiKey ? { apiKey: server.apiKey } : {}) },
                },
              },
              device,
              onProgress,
            }
          : { model, device, onProgress },
      );
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
