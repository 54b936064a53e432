/**
 * Plain-language descriptions of trace events, shared by the app's trace view and the widget. Pure: it
 * returns strings, and the views put them in the page as text.
 */
import type { SolveResult, TraceEvent } from '../browser.js';
import { formatPercent, formatPercentAgainst } from './format.js';
import { escalationCause, routeLine, shortfall, shortReading } from './route-text.js';

export interface EventSummary {
  /** A short tag: "Sample 3", "Vote", "Verify". */
  title: string;
  /** The headline, e.g. the extracted answer or the decision. */
  line: string;
  /** Model text, shown verbatim (as text) where the event carries some. */
  text?: string;
  /** For styling: good (accepted / verified), bad (rejected), neutral. */
  tone: 'good' | 'bad' | 'neutral';
}

const show = (answer: string | null) => (answer === null ? 'no answer' : answer);
/** Model text worth showing beside its answer: not when it is just the answer again. */
const textBeside = (text: string, answer: string | null) => (text.trim() === (answer ?? '').trim() ? undefined : text);

/** `before`: the request's events so far, for the events that read their cause there (a route after an escalation). */
export function summarizeEvent(event: Exclude<TraceEvent, { type: 'token' | 'result' }>, before: readonly TraceEvent[] = []): EventSummary {
  switch (event.type) {
    case 'draft':
      return { title: 'Draft', line: `→ ${show(event.answer)} (${event.tokens} tokens)`, text: textBeside(event.text, event.answer), tone: 'neutral' };
    case 'sample': {
      const extra = [
        event.confidence !== null ? `confidence ${formatPercent(event.confidence)}` : null,
        event.meanLogprob !== null ? `mean log-prob ${event.meanLogprob.toFixed(2)}` : null,
      ].filter(Boolean);
      return {
        title: `Sample ${event.index + 1}`,
        line: `→ ${show(event.answer)}${extra.length ? ` · ${extra.join(' · ')}` : ''}`,
        text: textBeside(event.text, event.answer),
        tone: 'neutral',
      };
    }
    case 'vote': {
      const counts = Object.entries(event.counts)
        .sort(([, a], [, b]) => b - a)
        .map(([answer, count]) => `${answer} ×${count}`)
        .join(', ');
      return { title: 'Vote', line: `${counts || 'no answers'} · leader ${show(event.leader)} (${formatPercent(event.share)})`, tone: 'neutral' };
    }
    case 'verify': {
      const verdict = event.verdict === null ? 'cannot tell' : event.verdict ? 'correct' : 'wrong';
      const score = event.score !== null ? ` · score ${event.score.toFixed(2)}${event.replies ? ` (mean of ${event.replies} verifications)` : ''}` : '';
      return {
        title: 'Verify',
        line: `${show(event.answer)} judged ${verdict} by ${event.by}${score}`,
        text: event.reason,
        tone: event.verdict === null ? 'neutral' : event.verdict ? 'good' : 'bad',
      };
    }
    case 'critique':
      return { title: 'Critique', line: `says the answer is ${event.says}`, text: event.text, tone: event.says === 'correct' ? 'good' : event.says === 'incorrect' ? 'bad' : 'neutral' };
    case 'revise':
      return { title: 'Revise', line: `${show(event.from)} → ${show(event.to)}`, text: event.text, tone: 'neutral' };
    case 'trace-score':
      return {
        title: `Trace ${event.index + 1} confidence`,
        line: `${event.score === null ? 'no score' : event.score.toFixed(2)}${event.threshold !== null ? ` (threshold ${event.threshold.toFixed(2)})` : ''} · ${event.tokens} tokens${event.stopped ? ' · stopped early' : ''}`,
        tone: event.stopped ? 'bad' : 'neutral',
      };
    case 'route':
      return { title: 'Route', ...routeLine(event, before), tone: 'neutral' };
    case 'error':
      return { title: 'Failed', line: `${event.model}: ${event.name}${event.status !== null ? ` (HTTP ${event.status})` : ''}`, text: event.message, tone: 'bad' };
    case 'decision':
      return { title: 'Decision', line: `${event.choice}: ${decisionReason(event, before)}`, tone: 'good' };
    case 'confidence':
      return {
        title: 'Confidence',
        line: `${event.signal} ${event.value === null ? 'n/a' : formatPercentAgainst(event.value, event.threshold)}${event.threshold !== undefined ? ` (threshold ${formatPercent(event.threshold)})` : ''}`,
        tone: event.value === null || event.threshold === undefined ? 'neutral' : event.value >= event.threshold ? 'good' : 'bad',
      };
    case 'stop':
      return { title: 'Stop', line: `${event.rule}: ${event.reason}`, tone: 'neutral' };
  }
}

/**
 * A decision's reason. A cascade's escalation is told from the reading before it, which holds the value
 * exactly: the cascade's own words round it (0.9995 against 1 reads "1.000 < 1").
 */
function decisionReason(event: Extract<TraceEvent, { type: 'decision' }>, before: readonly TraceEvent[]): string {
  const reading = shortReading(before);
  return reading && reading.value !== null ? shortfall(reading, 'the draft') : event.reason;
}

/**
 * How the answer was reached: the last decision, vote or draft; after a route, of the steps on the model
 * routed to, said after why it went there ("escalated from local to big because …; majority of …").
 */
export function explainResult(result: SolveResult): string {
  const at = result.trace.findLastIndex((e) => e.type === 'route');
  const route = result.trace[at];
  if (route?.type !== 'route') return explainSteps(result.trace, result);
  const before = result.trace.slice(0, at);
  const where = escalationCause(before) ? routeLine(route, before).line : `ran on ${route.to}`;
  return `${where}; ${explainSteps(result.trace.slice(at + 1), result)}`;
}

function explainSteps(trace: readonly TraceEvent[], result: SolveResult): string {
  const at = trace.findLastIndex((e) => e.type === 'decision');
  const decision = trace[at];
  if (decision?.type === 'decision') return decisionReason(decision, trace.slice(0, at));
  const vote = trace.findLast((e) => e.type === 'vote');
  if (vote?.type === 'vote') return `majority of the samples (${formatPercent(vote.share)} agree)`;
  if (trace.some((e) => e.type === 'draft')) return 'the greedy draft';
  return result.cached ? 'served from the cache' : `${result.strategy.kind} result`;
}

/** The threshold the result's confidence was judged against, if the strategy used one. */
export function thresholdOf(result: SolveResult): number | undefined {
  for (const event of [...result.trace].reverse()) {
    if (event.type === 'confidence' && event.threshold !== undefined) return event.threshold;
  }
  return result.strategy.kind === 'cascade' ? result.strategy.threshold : undefined;
}
