import type { Engine, EngineInfo, GenerateParams, Generation, TokenAlternative, TokenStep } from '../../src/engine/engine.js';
import { AbortError } from '../../src/errors.js';

export interface ScriptedReply {
  text: string;
  /** Per-token log-prob; default log(0.9) per character. */
  logprob?: number;
  /** Append a confidence token step with this P(<CN>) (tiny-arith style). */
  confidence?: number;
  /** Watched log-probs on the last step (e.g. { Y: -0.1, N: -2.3 }). */
  watched?: Record<string, number>;
  /** Top alternatives of step i (1-based), for DeepConf's token confidence. */
  top?: (step: number) => TokenAlternative[];
}

export type Script = (call: { prompt: GenerateParams['prompt']; params: GenerateParams; row: number; callIndex: number }) => ScriptedReply | string;

export interface ScriptedEngine extends Engine {
  calls: GenerateParams[];
}

/**
 * A deterministic engine for unit tests: replies come from a script; each character is a token. Honors
 * abort between tokens and can be slowed with `tokenDelayMs` so tests can abort mid-generation.
 */
export function scriptedEngine(script: Script, options: { info?: Partial<EngineInfo>; tokenDelayMs?: number } = {}): ScriptedEngine {
  const calls: GenerateParams[] = [];
  const info: EngineInfo = {
    engine: 'transformers',
    model: 'scripted',
    device: 'cpu',
    fallback: null,
    capabilities: { batchedSampling: true, logprobs: true, topLogprobs: 0, seededSampling: true, contextLength: 4096, confidenceToken: false, continueAssistant: true },
    ...options.info,
  };
  return {
    calls,
    info: () => info,
    countTokens: async (prompt) => ('text' in prompt ? prompt.text.length : JSON.stringify(prompt.messages).length),
    async generate(params) {
      const callIndex = calls.length;
      calls.push(params);
      if (params.signal?.aborted) throw new AbortError();
      const generations: Generation[] = [];
      for (let row = 0; row < params.n; row++) {
        const raw = script({ prompt: params.prompt, params, row, callIndex });
        const reply = typeof raw === 'string' ? { text: raw } : raw;
        const steps: TokenStep[] = [];
        for (const ch of reply.text.slice(0, params.maxTokens)) {
          if (options.tokenDelayMs) await new Promise((r) => setTimeout(r, options.tokenDelayMs));
          if (params.signal?.aborted) throw new AbortError();
          steps.push({ token: ch, logprob: reply.logprob ?? Math.log(0.9), ...(reply.top ? { top: reply.top(steps.length) } : {}) });
          params.onToken?.(row, ch);
          if (params.stopRow?.(row, steps)) break;
        }
        const cut = params.stopRow !== undefined && steps.length > 0 && steps.length < Math.min(reply.text.length, params.maxTokens) ;
        if (reply.confidence !== undefined && !cut) {
          steps.push({
            token: reply.confidence >= 0.5 ? '<CN>' : '<UN>',
            logprob: Math.log(Math.max(reply.confidence, 1 - reply.confidence)),
            watched: { '<CN>': Math.log(reply.confidence), '<UN>': Math.log(1 - reply.confidence) },
          });
        }
        if (reply.watched && steps.length > 0) steps[steps.length - 1]!.watched = reply.watched;
        // Like a real engine, the end token counts against maxTokens: a reply that fills it never ends.
        const ended = reply.text.length < params.maxTokens;
        const text = cut ? reply.text.slice(0, steps.length) : reply.text.slice(0, params.maxTokens);
        generations.push({ text, steps, finishReason: cut ? 'cut' : ended ? 'stop' : 'length' });
      }
      return { generations, promptTokens: 'text' in params.prompt ? params.prompt.text.length : 10 };
    },
    dispose: async () => {},
  };
}
