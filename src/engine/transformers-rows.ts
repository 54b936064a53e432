import type { GenerateParams, Generation, TokenStep } from './engine.js';
import { chooseToken, createRng, rowSeed, topTokens, type Rng } from './sampling.js';

/** What the rows need to know about the model's vocabulary. */
export interface Vocabulary {
  eosIds: number[];
  /** A token's text, special tokens kept. */
  text(id: number): string;
  id(token: string): number | undefined;
}

/**
 * The rows of one `generate()` call as our sampler sees them: each row's seeded random stream, the steps it
 * has taken and whether it has ended. Kept apart from the batch layout so that one set of rows can be fed by
 * a batch-1 prefill (every row drawing its first token from the same logits) and then by a batch-N decode,
 * and come out exactly as a batch-N run from the start would: same streams, same draws, same order.
 */
export class Rows {
  readonly count: number;
  readonly finished: boolean[];
  /** Rows the caller's `stopRow` ended. */
  private readonly cut: boolean[];
  /** The last token each row was given (its end token once it has ended): what the next forward pass reads. */
  readonly last: number[];
  private readonly steps: TokenStep[][];
  private readonly ids: number[][];
  private readonly rngs: Rng[];
  private readonly watched: Array<readonly [string, number]>;

  constructor(
    private readonly params: GenerateParams,
    private readonly vocab: Vocabulary,
    /** Alternatives per step to report, already capped by the engine. */
    private readonly topK: number,
  ) {
    this.count = params.n;
    const seed = params.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.rngs = Array.from({ length: this.count }, (_, row) => createRng(rowSeed(seed, row)));
    this.steps = Array.from({ length: this.count }, () => []);
    this.ids = Array.from({ length: this.count }, () => []);
    this.finished = new Array<boolean>(this.count).fill(false);
    this.cut = new Array<boolean>(this.count).fill(false);
    this.last = new Array<number>(this.count).fill(0);
    // A watched token the vocabulary lacks has no number to report (not a guess).
    this.watched = (params.watchTokens ?? [])
      .map((token) => [token, vocab.id(token)] as const)
      .filter((pair): pair is readonly [string, number] => pair[1] !== undefined);
  }

  get allDone(): boolean {
    return this.finished.every(Boolean);
  }

  /** Picks `row`'s next token from its log-probabilities at temperature 1, records the step and streams it. */
  choose(row: number, logprobs: Float64Array): number {
    const chosen = chooseToken(logprobs, this.params, this.rngs[row]!);
    this.last[row] = chosen;
    if (this.vocab.eosIds.includes(chosen)) {
      this.finished[row] = true;
      return chosen;
    }
    const token = this.vocab.text(chosen);
    const step: TokenStep = { token, logprob: logprobs[chosen]! };
    if (this.watched.length > 0) step.watched = Object.fromEntries(this.watched.map(([t, id]) => [t, logprobs[id]!]));
    if (this.topK > 0) step.top = topTokens(logprobs, this.topK).map((id) => ({ token: this.vocab.text(id), logprob: logprobs[id]! }));
    this.steps[row]!.push(step);
    this.ids[row]!.push(chosen);
    this.params.onToken?.(row, token);
    if (this.params.stopRow?.(row, this.steps[row]!)) {
      // Ended like an end token: the batch feeds it padding from here on, and it costs no more steps.
      this.finished[row] = true;
      this.cut[row] = true;
    }
    return chosen;
  }

  generations(decode: (ids: number[]) => string): Generation[] {
    return this.steps.map((steps, row) => ({
      // decode() rejects an empty list: a row that ended at once has no text.
      text: this.ids[row]!.length === 0 ? '' : decode(this.ids[row]!),
      steps,
      finishReason: this.cut[row] ? 'cut' : this.finished[row] ? 'stop' : 'length',
    }));
  }
}
