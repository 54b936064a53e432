import type { Tensor } from '@huggingface/transformers';
import type { Rows } from './transformers-rows.js';
import { logSoftmax } from './sampling.js';

/**
 * How our sampler plugs into transformers.js' `generate()`: it runs as the last logits processor, chooses
 * every row's token itself (seeded, with top-p and log-probs, none of which the library offers) and leaves
 * only the chosen token finite so the library's greedy pick takes it. It must be synchronous: an async
 * processor breaks generate(). On WebGPU the logits still arrive as a CPU tensor, readable at once.
 */

type TransformersModule = typeof import('@huggingface/transformers');
type Choose = (logits: Tensor) => Tensor;

/** Defined on first use because the library is imported lazily; one pair per library instance. */
function defineHooks(hf: TransformersModule) {
  class SeededSampler extends hf.LogitsProcessor {
    constructor(private readonly choose: Choose) {
      super();
    }
    override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
      return this.choose(logits);
    }
  }
  /** Ends generation between tokens on abort or once every row has ended (finished rows would go on). */
  class SignalStopper extends hf.StoppingCriteria {
    constructor(
      private readonly signal: AbortSignal | undefined,
      private readonly allDone: () => boolean,
    ) {
      super();
    }
    override _call(inputIds: number[][]): boolean[] {
      const stop = this.signal?.aborted === true || this.allDone();
      return new Array<boolean>(inputIds.length).fill(stop);
    }
  }
  return { SeededSampler, SignalStopper };
}

const defined = new WeakMap<TransformersModule, ReturnType<typeof defineHooks>>();

/** The processor and stopping lists for one generate() call. */
export function hooksFor(hf: TransformersModule, choose: Choose, signal: AbortSignal | undefined, allDone: () => boolean) {
  let hooks = defined.get(hf);
  if (!hooks) defined.set(hf, (hooks = defineHooks(hf)));
  const logits_processor = new hf.LogitsProcessorList();
  logits_processor.push(new hooks.SeededSampler(choose));
  const stopping_criteria = new hf.StoppingCriteriaList();
  stopping_criteria.push(new hooks.SignalStopper(signal, allDone));
  return { logits_processor, stopping_criteria };
}

/** One decode step of a batch whose row i is row i of `rows`; a row that has ended is fed `padId`. */
export function batchStep(rows: Rows, padId: number): Choose {
  return (logits) => {
    const vocab = logits.dims.at(-1)!;
    const data = logits.data as Float32Array;
    for (let row = 0; row < rows.count; row++) {
      const slice = data.subarray(row * vocab, (row + 1) * vocab);
      const chosen = rows.finished[row] ? padId : rows.choose(row, logSoftmax(slice));
      force(slice, chosen);
    }
    return logits;
  };
}

/**
 * The one step of a shared prefill: a batch of one whose logits every row draws its first token from, in row
 * order, exactly as it would from its own copy. The batch's own token is thrown away.
 */
export function sharedStep(rows: Rows): Choose {
  return (logits) => {
    const data = logits.data as Float32Array;
    const logprobs = logSoftmax(data);
    for (let row = 0; row < rows.count; row++) rows.choose(row, logprobs);
    force(data, rows.last[0]!);
    return logits;
  };
}

function force(slice: Float32Array, chosen: number): void {
  slice.fill(-Infinity);
  slice[chosen] = 0;
}
