import { join } from 'node:path';
import { logSoftmax } from '../../src/engine/sampling.js';
import type { ChatMessage } from '../../src/types.js';

/**
 * What the test OpenAI-compatible server generates from: a tokenizer, a chat template and the untempered
 * next-token distribution. Two implementations: a scripted arithmetic oracle (fast, exact numbers for unit
 * tests) and the bundled tiny-arith model through transformers.js (real answers for integration tests).
 */
export interface FixtureModel {
  vocab: readonly string[];
  /** Special tokens: left out of the text (as servers do by default) and, on llama-server, of logprob tokens too. */
  special: ReadonlySet<number>;
  eos: number;
  contextLength: number;
  /** Special tokens in the text are parsed; no BOS is added (our prompts write their own). */
  encode(text: string): number[];
  /** The chat template. An assistant message last is left open (the tiny template has no end-of-turn). */
  render(messages: ChatMessage[], addGenerationPrompt: boolean): string;
  /** Log-probabilities of the next token after `ids`, at temperature 1. */
  next(ids: readonly number[]): Promise<Float64Array>;
}

/** tiny-arith's vocabulary, so the scripted model and the real one tokenize alike. */
const VOCAB = ['<pad>', '<s>', '</s>', '<CN>', '<UN>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '-', '*', '=', '?', 'Y', 'N'];
const ID = new Map(VOCAB.map((t, i) => [t, i]));
const id = (token: string) => ID.get(token)!;

export const SCRIPTED = {
  /** Probability of the scripted next token. */
  main: 0.8,
  /** Probability of its one distractor (the next digit, `<UN>` for `<CN>`). */
  distractor: 0.15,
};

function tinyTemplate(messages: ChatMessage[]): string {
  return '<s>' + messages.map((m) => (m.role === 'user' ? `${m.content}=` : m.role === 'assistant' ? m.content : '')).join('');
}

function encodeWith(vocab: ReadonlyMap<string, number>, specials: readonly string[], text: string): number[] {
  const ids: number[] = [];
  for (let i = 0; i < text.length; ) {
    const special = specials.find((s) => text.startsWith(s, i));
    if (special) {
      ids.push(vocab.get(special)!);
      i += special.length;
      continue;
    }
    const single = vocab.get(text[i]!);
    if (single !== undefined) ids.push(single);
    i++; // characters outside the vocabulary are dropped, as a BPE without an unknown token does
  }
  return ids;
}

function evaluate(question: string): string | null {
  const match = /^(-?\d+)([+\-*])(-?\d+)$/.exec(question);
  if (!match) return null;
  const a = Number(match[1]);
  const b = Number(match[3]);
  return String(match[2] === '+' ? a + b : match[2] === '-' ? a - b : a * b);
}

/**
 * The scripted oracle. After `<s>A op B=` it answers the true result digit by digit, then `<CN>`, then `</s>`,
 * each with probability 0.8 and a distractor at 0.15; a reply that strayed from the script ends `<UN></s>`.
 * An unparsable question is answered `?<UN>`.
 */
export function arithmeticModel(contextLength = 64): FixtureModel {
  const specials = VOCAB.slice(0, 5);
  return {
    vocab: VOCAB,
    special: new Set([0, 1, 2, 3, 4]),
    eos: id('</s>'),
    contextLength,
    encode: (text) => encodeWith(ID, specials, text),
    render: (messages) => tinyTemplate(messages),
    async next(ids) {
      const start = ids.lastIndexOf(id('<s>')) + 1;
      const equals = ids.indexOf(id('='), start);
      const question = ids.slice(start, equals === -1 ? ids.length : equals).map((i) => VOCAB[i]).join('');
      const generated = equals === -1 ? [] : ids.slice(equals + 1);
      const answer = evaluate(question);
      const script = answer === null ? ['?', '<UN>', '</s>'] : [...answer, '<CN>', '</s>'];
      const onScript = generated.every((g, i) => VOCAB[g] === script[i]);
      let next: string;
      if (onScript && generated.length < script.length) next = script[generated.length]!;
      else next = ['<CN>', '<UN>'].includes(VOCAB[generated.at(-1) ?? 0]!) ? '</s>' : '<UN>';
      const distractor = /^\d$/.test(next) ? String((Number(next) + 1) % 10) : next === '<CN>' ? '<UN>' : '?';
      const rest = (1 - SCRIPTED.main - SCRIPTED.distractor) / (VOCAB.length - 2);
      const probs = VOCAB.map((t) => (t === next ? SCRIPTED.main : t === distractor ? SCRIPTED.distractor : rest));
      return Float64Array.from(probs, Math.log);
    },
  };
}

/**
 * The bundled tiny-arith model, loaded offline from public/models with plain transformers.js. Forward passes
 * recompute the whole sequence (64 positions at most) and run one at a time.
 */
export async function tinyArithModel(): Promise<FixtureModel> {
  const hf = await import('@huggingface/transformers');
  hf.env.allowLocalModels = true;
  hf.env.allowRemoteModels = false;
  hf.env.localModelPath = join(import.meta.dirname, '..', '..', 'public', 'models') + '/';
  const tokenizer = await hf.AutoTokenizer.from_pretrained('tiny-arith');
  const lm = await hf.AutoModelForCausalLM.from_pretrained('tiny-arith', { dtype: 'fp32' });
  const vocabMap = tokenizer.get_vocab();
  const vocab: string[] = [];
  for (const [token, index] of vocabMap) vocab[index] = token;
  const special = new Set([...vocabMap].filter(([t]) => /^<.+>$/.test(t)).map(([, i]) => i));
  let queue: Promise<unknown> = Promise.resolve();
  return {
    vocab,
    special,
    eos: tokenizer.eos_token_id!,
    contextLength: (lm.config as unknown as { max_position_embeddings: number }).max_position_embeddings,
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    render: (messages, addGenerationPrompt) =>
      tokenizer.apply_chat_template(messages, { add_generation_prompt: addGenerationPrompt, tokenize: false }) as string,
    next(ids) {
      const run = queue.then(async () => {
        const input = new hf.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
        const mask = new hf.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
        const out = await lm({ input_ids: input, attention_mask: mask });
        const logits = out.logits as InstanceType<typeof hf.Tensor>;
        const width = logits.dims.at(-1)!;
        const data = logits.data as Float32Array;
        return logSoftmax(data.subarray((ids.length - 1) * width, ids.length * width));
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}
