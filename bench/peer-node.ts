/**
 * The baseline a developer would write in Node without Second Thought: plain transformers.js, and
 * self-consistency as eight sequential sampled `generate()` calls (`num_return_sequences > 1` does not work
 * there). Same model files, same chat template, same temperature and token limit as our SC@8.
 */
import { AutoModelForCausalLM, AutoTokenizer, env, type Tensor } from '@huggingface/transformers';

export async function createPeer(modelsFolder: string, modelId: string) {
  Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: modelsFolder.endsWith('/') ? modelsFolder : `${modelsFolder}/` });
  const tokenizer = await AutoTokenizer.from_pretrained(modelId);
  const model = await AutoModelForCausalLM.from_pretrained(modelId, { device: 'cpu', dtype: 'fp32', session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  return {
    async sample(prompt: string, n: number, maxNewTokens: number, temperature: number): Promise<string[]> {
      const text = tokenizer.apply_chat_template([{ role: 'user', content: prompt }], { add_generation_prompt: true, tokenize: false }) as string;
      const inputs = tokenizer(text, { add_special_tokens: false });
      const answers: string[] = [];
      for (let i = 0; i < n; i++) {
        const output = (await model.generate({ ...inputs, do_sample: true, temperature, top_k: 0, max_new_tokens: maxNewTokens })) as Tensor;
        const ids = (output.tolist() as bigint[][])[0]!.slice(inputs.input_ids.dims[1]).map(Number);
        answers.push(tokenizer.decode(ids, { skip_special_tokens: true }));
      }
      return answers;
    },
    dispose: () => model.dispose(),
  };
}
