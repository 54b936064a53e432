/**
 * Plain-language text for requests that run on more than one model: why a step went to another model,
 * what each model cost, and what a failed escalation left. Pure, like `trace-text.ts`.
 */
import type { SolveResult, TraceEvent, Usage } from '../browser.js';
import { formatShortOf, plural } from './format.js';

type Event<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

/** The cascade's signals as a person says them. */
const SIGNAL_WORDS: Record<string, string> = {
  'confidence-token': 'confidence',
  logprob: 'token probability',
  'self-verify': 'P(yes)',
  vote: 'vote share',
};

export const signalWords = (signal: string) => SIGNAL_WORDS[signal] ?? signal;

const steps = (events: readonly TraceEvent[]) => events.filter((e) => e.type !== 'token');

/**
 * The last event, if it is a reading that fell short of its threshold: only a cascade judges its signal
 * against one, and its decision to escalate comes next.
 */
export function shortReading(before: readonly TraceEvent[]): Event<'confidence'> | null {
  const last = steps(before).at(-1);
  if (last?.type !== 'confidence' || last.threshold === undefined) return null;
  return last.value === null || last.value < last.threshold ? last : null;
}

/**
 * The reading that sent a step to another model, if it was an escalation: a cascade emits its signal, then
 * its decision to escalate, then the route. A step that names its model has no such reading before it.
 */
export function escalationCause(before: readonly TraceEvent[]): Event<'confidence'> | null {
  const list = steps(before);
  return list.at(-1)?.type === 'decision' ? shortReading(list.slice(0, -1)) : null;
}

/** "confidence 0.41 < 0.6", or "<whose answer> had no confidence value". */
export function shortfall(reading: Event<'confidence'>, whose: string): string {
  const words = signalWords(reading.signal);
  return reading.value === null ? `${whose} had no ${words} value` : `${words} ${formatShortOf(reading.value, 2)} < ${reading.threshold}`;
}

/** "escalated from local to big because confidence 0.41 < 0.6", or for a step that names its model, "local → big". */
export function routeLine(event: Event<'route'>, before: readonly TraceEvent[]): { line: string; text?: string } {
  const cause = escalationCause(before);
  if (!cause) return { line: `${event.from} → ${event.to}`, text: event.reason };
  return { line: `escalated from ${event.from} to ${event.to} because ${shortfall(cause, `the answer of ${event.from}`)}` };
}

/** Per-model costs, one line each, where the request touched more than one model (else the total says it all). */
export function usageByModel(usage: Usage): Array<{ model: string; text: string }> {
  const entries = Object.entries(usage.byModel ?? {});
  if (entries.length < 2) return [];
  return entries.map(([model, u]) => ({
    model,
    text: `${plural(u.completionTokens, 'token')} generated · ${plural(u.promptTokens, 'prompt token')} · ${plural(u.engineCalls, 'engine call')}`,
  }));
}

/**
 * What a failed escalation leaves: which model failed and why (its error from the trace), and that the
 * answer is the one the first model already had. `describe` names a model for people ("big (tiny-arith on
 * a server)"). Null unless the escalation failed.
 */
export function escalationNote(result: SolveResult, describe: (model: string) => string = (model) => model): string | null {
  if (result.escalation !== 'failed') return null;
  const error = result.trace.findLast((e): e is Event<'error'> => e.type === 'error');
  const route = result.trace.findLast((e): e is Event<'route'> => e.type === 'route' && (!error || e.to === error.model));
  const failed = error ? describe(error.model) : route ? describe(route.to) : 'the other model';
  // The error's class is on the trace's Failed line; here, what a person can act on: no reply, or the status.
  const why = error ? `(${error.status !== null ? `HTTP ${error.status}` : 'no reply'}): ${error.message.replace(/\.$/, '')}` : '(no reason was recorded)';
  const kept = route ? describe(route.from) : 'the first model';
  return `The escalation to ${failed} failed ${why}. This is the answer of ${kept}, which it had before escalating.`;
}
