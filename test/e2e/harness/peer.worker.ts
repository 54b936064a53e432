/**
 * The baseline a developer would write without Second Thought: plain transformers.js in a worker, and
 * self-consistency as eight sequential sampled `generate()` calls (`num_return_sequences > 1` does not work
 * in transformers.js), the majority of the eight answers taken on the page.
 */
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import { expose } from 'comlink';

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
  async sample(messages: Array<{ role: string; content: string }>, n: number, maxNewTokens: number, temperature: number): Promise<string[]> {
    const text = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, tokenize: false }) as string;
    const inputs = tokenizer(text, { add_special_tokens: false });
    const answers: string[] = [];
    for (let i = 0; i < n; i++) {
      const output = (await model.generate({ ...inputs, do_sample: true, temperature, top_k: 0, max_new_tokens: maxNewTokens })) as Tensor;
      const ids = (output.tolist() as bigint[][])[0]!.slice(inputs.input_ids.dims[1]).map(Number);
      answers.push(tokenizer.decode(ids, { skip_special_tokens: true }));
    }
    return answers;
  },
};
export type Peer = typeof peer;
expose(peer);
