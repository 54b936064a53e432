/**
 * The baseline a developer would write without Second Thought (bench/peer-sample.ts), in a worker of its own.
 */
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { expose } from 'comlink';
import { sampleSequentially } from '../../../bench/peer-sample.js';

let tokenizer: PreTrainedTokenizer;
let model: PreTrainedModel;

const peer = {
  async load(modelId: string, base: string) {
    Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: base });
    const wasm = env.backends.onnx.wasm;
    if (wasm) wasm.wasmPaths = undefined as unknown as string;
    tokenizer = await AutoTokenizer.from_pretrained(modelId);
    model = await AutoModelForCausalLM.from_pretrained(modelId, { device: 'wasm', dtype: 'fp32', session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  },
  /** n sampled answers, one generate() call each, decoded to text. */
  sample: (messages: Array<{ role: string; content: string }>, n: number, maxNewTokens: number, temperature: number): Promise<string[]> =>
    sampleSequentially(tokenizer, model, messages, n, maxNewTokens, temperature),
};
export type Peer = typeof peer;
expose(peer);
