import type { PreTrainedModel } from '@huggingface/transformers';

/**
 * In browsers transformers.js (4.3) runs every `session.run` of the page's module through one promise chain
 * (`webInferenceChain = webInferenceChain.then(run)`), so one rejected run (a lost GPU device, an out-of-
 * memory error) rejects every later run of every model in that worker with the same error, for good: a
 * model loaded again on WASM would never answer. So our sessions never reject into that chain: a failed run
 * resolves to a stand-in that throws the run's error as soon as transformers.js reads it (outside the
 * chain, in the call that made it), and the chain stays usable.
 */
export function guardSessions(lm: PreTrainedModel): void {
  const sessions = (lm as unknown as { sessions?: Record<string, { run?: (...args: unknown[]) => Promise<unknown> }> }).sessions ?? {};
  for (const session of Object.values(sessions)) {
    const run = session.run?.bind(session);
    if (!run) continue;
    session.run = (...args: unknown[]) => run(...args).catch((error: unknown) => failedOutput(error));
  }
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
