import type { Engine, EngineInfo } from '../engine/engine.js';
import { DeviceLostError } from '../errors.js';

/**
 * Keeps a runtime's models answering after a lost GPU device. Each engine is held behind a stable stand-in
 * (strategies, the serial queue and `info()` keep pointing at it) whose engine can be replaced: when a call
 * fails with DeviceLostError, the runtime asks `recover(error)`, which disposes the dead engine, loads the
 * model again on WASM (once, however many requests saw the loss) and reports it, so the request can be
 * run again on the new engine.
 */

/** How to load a model again on WASM; absent where the model cannot run there (WebLLM builds, servers). */
export type ReloadOnWasm = () => Promise<Engine>;

interface Held {
  current: Engine;
  reload?: ReloadOnWasm;
  /** Why the device changed, once it has. */
  fallback: string | null;
  recovering: Promise<void> | null;
  label: string;
}

export interface Recovery {
  /** What the runtime and its strategies use in place of `engine`. */
  standIn(engine: Engine, label: string, reload?: ReloadOnWasm): Engine;
  /**
   * For an error from a call: null when it is not a device loss this runtime can recover from; otherwise
   * resolves once the model runs again (on WASM) with the model's label, or rejects with why it cannot.
   */
  recover(error: unknown): Promise<string> | null;
  /** Device losses recovered from since the runtime started. */
  readonly recovered: number;
}

export function createRecovery(onChange: () => void): Recovery {
  const byEngine = new Map<Engine, { held: Held; engine: Engine }>();
  /** Which stand-in, and which engine behind it, an error came from. */
  const origin = new WeakMap<object, { held: Held; failed: Engine }>();
  let recovered = 0;

  function standIn(engine: Engine, label: string, reload?: ReloadOnWasm): Engine {
    // Several names may share one engine (a model served by another): one stand-in for all of them.
    const known = byEngine.get(engine);
    if (known) return known.engine;
    const held: Held = { current: engine, reload, fallback: null, recovering: null, label };
    const stand: Engine = {
      info: (): EngineInfo => {
        const info = held.current.info();
        return held.fallback ? { ...info, fallback: held.fallback } : info;
      },
      countTokens: (prompt) => held.current.countTokens(prompt),
      async generate(params) {
        const failed = held.current;
        try {
          return await failed.generate(params);
        } catch (error) {
          if (error instanceof DeviceLostError) origin.set(error, { held, failed });
          throw error;
        }
      },
      dispose: () => held.current.dispose(),
    };
    byEngine.set(engine, { held, engine: stand });
    return stand;
  }

  function recover(error: unknown): Promise<string> | null {
    if (!(error instanceof DeviceLostError)) return null;
    const from = origin.get(error);
    if (!from?.held.reload) return null;
    const { held, failed } = from;
    // Another request already replaced the engine this one failed on.
    if (held.current !== failed) return Promise.resolve(held.label);
    held.recovering ??= (async () => {
      // A lost device's sessions hold nothing worth waiting for (the engine bounds its own dispose).
      await failed.dispose().catch(() => undefined);
      let fresh: Engine;
      try {
        fresh = await held.reload!();
      } catch (cause) {
        throw new DeviceLostError(`${error.message}; loading ${held.label} again on WASM failed: ${cause instanceof Error ? cause.message.slice(0, 200) : String(cause).slice(0, 200)}`, {
          reason: error.reason,
        });
      }
      held.current = fresh;
      held.fallback = `The WebGPU device was lost (${error.reason}) during generation; ${held.label} was loaded again on WASM`;
      recovered++;
      onChange();
    })().finally(() => {
      held.recovering = null;
    });
    return held.recovering.then(() => held.label);
  }

  return {
    standIn,
    recover,
    get recovered() {
      return recovered;
    },
  };
}
