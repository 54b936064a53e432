import type { PreTrainedModel } from '@huggingface/transformers';

/**
 * Two things about transformers.js (4.3) sessions in browsers, fixed where each run passes:
 *
 * - It runs every `session.run` of the module through one promise chain (`webInferenceChain =
 *   webInferenceChain.then(run)`), so one rejected run (a lost GPU device, out of memory) rejects every later
 *   run of every model in that worker with the same error, for good: a model loaded again on WASM would never
 *   answer. So our sessions never reject into that chain: a failed run resolves to a stand-in that throws the
 *   run's error as soon as transformers.js reads it (outside the chain, in the call that made it).
 * - On WASM a run settles without the event loop turning, so a whole `generate()` is one task: the worker
 *   reads no message (an abort), fires no timer (streamed tokens) until the call is over. After each run we
 *   yield a task (a MessageChannel round trip: no 4 ms timer clamp), so an abort
 *   stops generation within one token and tokens stream as they come.
 */
export function guardSessions(lm: PreTrainedModel): void {
  const sessions = (lm as unknown as { sessions?: Record<string, { run?: (...args: unknown[]) => Promise<unknown> }> }).sessions ?? {};
  for (const session of Object.values(sessions)) {
    const run = session.run?.bind(session);
    if (!run) continue;
    session.run = async (...args: unknown[]) => {
      const output = await run(...args).catch((error: unknown) => failedOutput(error));
      await yieldTask();
      return output;
    };
  }
}

/** A plain task, queued behind what is waiting (`scheduler.yield()` would jump ahead of the abort). */
function yieldTask(): Promise<void> {
  return new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Throws `error` on any read. `then` reads as absent, so resolving a promise with it does not throw there. */
function failedOutput(error: unknown): object {
  const fail = (): never => {
    throw error;
  };
  return new Proxy(
    {},
    {
      get: (_target, key) => (key === 'then' ? undefined : fail()),
      has: fail,
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
    },
  );
}
