/** The baseline of bench/peer-sample.ts in Node: same model files, chat template, temperature and token limit as our SC@8. */
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { sampleSequentially } from './peer-sample.js';

export async function createPeer(modelsFolder: string, modelId: string) {
  Object.assign(env, { allowLocalModels: true, allowRemoteModels: false, localModelPath: modelsFolder.endsWith('/') ? modelsFolder : `${modelsFolder}/` });
  const tokenizer = await AutoTokenizer.from_pretrained(modelId);
  const model = await AutoModelForCausalLM.from_pretrained(modelId, { device: 'cpu', dtype: 'fp32', session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  return {
    sample: (prompt: string, n: number, maxNewTokens: number, temperature: number): Promise<string[]> =>
      sampleSequentially(tokenizer, model, [{ role: 'user', content: prompt }], n, maxNewTokens, temperature),
    dispose: () => model.dispose(),
  };
}
