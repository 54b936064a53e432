/**
 * The baseline a developer would write without Second Thought, in Node and in a browser worker alike:
 * self-consistency as n sequential sampled `generate()` calls of plain transformers.js
 * (`num_return_sequences > 1` does not work there), each decoded to text.
 */
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';

export async function sampleSequentially(
  tokenizer: PreTrainedTokenizer,
  model: PreTrainedModel,
  messages: Array<{ role: string; content: string }>,
  n: number,
  maxNewTokens: number,
  temperature: number,
): Promise<string[]> {
  const text = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, tokenize: false }) as string;
  const inputs = tokenizer(text, { add_special_tokens: false });
  const answers: string[] = [];
  for (let i = 0; i < n; i++) {
    const output = (await model.generate({ ...inputs, do_sample: true, temperature, top_k: 0, max_new_tokens: maxNewTokens })) as Tensor;
    const ids = (output.tolist() as bigint[][])[0]!.slice(inputs.input_ids.dims[1]).map(Number);
    answers.push(tokenizer.decode(ids, { skip_special_tokens: true }));
  }
  return answers;
}
