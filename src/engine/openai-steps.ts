/**
 * A server's choice as the engine's `Generation`: steps with log-probabilities, watched tokens and top-k
 * alternatives, read only from what the server reported.
 *
 * - Watched tokens come from the position's top alternatives (or the chosen token itself). A watched token
 *   that is not among them has no entry in `watched`: the server did not say, and its probability is only
 *   known to be below the k-th alternative's. Strategies read an absent entry as "no signal" (see
 *   `confidence/signals.ts`), which is the truth; a guessed number would not be.
 * - Tokens are matched by id where the server gives ids (llama-server) and we could resolve the watched
 *   token's id (its `/tokenize`): llama-server renders special tokens such as `<CN>` as "" in both text and
 *   logprobs, so only the id can find them. The step then carries the watched token's name.
 * - The end-of-sequence token is excluded from steps, as on the in-process engines: vLLM and llama-server
 *   report its position, OpenAI does not. On a "stop", a last entry that is a known end marker or renders
 *   as "" is that token.
 * - A choice whose server sent no log-probabilities gets `steps: []`: the engine has no per-token truth to
 *   tell. `capabilities.logprobs` is false before such a call is made (the load-time probe) or right after
 *   it is first seen, and calls that need numbers (watched tokens, alternatives) are refused with
 *   LogprobsUnavailableError before they start.
 */
import { RemoteEngineError } from '../errors.js';
import type { Generation, TokenStep } from './engine.js';
import type { Alternative, Entry, RawChoice } from './openai-parse.js';

export interface StepOptions {
  watch: readonly string[];
  /** Ids of watched tokens, where known. */
  watchIds: ReadonlyMap<string, number>;
  /** Alternatives per step to report (0: none). */
  top: number;
  endTokens: ReadonlySet<string>;
}

/** 'stop' or 'length'; anything else a server may say (abort, content_filter, none at all) is an error. */
function finishOf(choice: RawChoice): Generation['finishReason'] {
  switch (choice.finish) {
    case 'length':
      return 'length';
    case 'stop':
    case 'eos':
    case 'end_turn':
    case 'tool_calls':
      return 'stop';
    default:
      throw new RemoteEngineError(
        `The server ended choice ${choice.index} with finish reason ${JSON.stringify(choice.finish)}, neither "stop" nor "length"`,
        { status: 200, retryable: false },
      );
  }
}

export function toGeneration(choice: RawChoice, options: StepOptions): Generation {
  const finishReason = finishOf(choice);
  if (choice.entries === null) return { text: choice.text, steps: [], finishReason };
  const named = choice.entries.map((entry) => rename(entry, options));
  const last = named.at(-1);
  const entries = finishReason === 'stop' && last && (last.token === '' || options.endTokens.has(last.token)) ? named.slice(0, -1) : named;
  return { text: choice.text, steps: entries.map((entry) => toStep(entry, options)), finishReason };
}

function nameOf(alt: Alternative, options: StepOptions): string {
  if (alt.id === undefined) return alt.token;
  for (const [token, id] of options.watchIds) if (id === alt.id) return token;
  return alt.token;
}

function rename(entry: Entry, options: StepOptions): Entry {
  if (options.watchIds.size === 0) return entry;
  return {
    ...entry,
    token: nameOf(entry, options),
    top: entry.top.map((alt) => ({ ...alt, token: nameOf(alt, options) })),
  };
}

function toStep(entry: Entry, options: StepOptions): TokenStep {
  const step: TokenStep = { token: entry.token, logprob: entry.logprob };
  if (options.watch.length > 0) {
    const watched: Record<string, number> = {};
    for (const token of options.watch) {
      const found = entry.token === token ? entry : entry.top.find((alt) => alt.token === token);
      if (found) watched[token] = found.logprob;
    }
    step.watched = watched;
  }
  if (options.top > 0) step.top = entry.top.slice(0, options.top).map(({ token, logprob }) => ({ token, logprob }));
  return step;
}
