import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { EngineError, InvalidRequestError } from '../errors.js';
import type { ChatMessage } from '../types.js';

const OPEN_TURN_MARK = '\u0000second-thought:open-turn\u0000';

/**
 * The chat rendered with its last message left open for the model to continue (the "Wait" nudge).
 * transformers.js 4.3 has no `continue_final_message`, so the last message is rendered with a marker after
 * its content and the text is cut at the marker, dropping the template's end-of-turn suffix.
 */
export function renderOpenTurn(tokenizer: PreTrainedTokenizer, messages: ChatMessage[]): string {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant') throw new InvalidRequestError('prompt.continueFinal', "needs the last message to be the assistant's");
  const marked = [...messages.slice(0, -1), { ...last, content: last.content + OPEN_TURN_MARK }];
  const rendered = tokenizer.apply_chat_template(marked, { add_generation_prompt: false, tokenize: false }) as string;
  const at = rendered.lastIndexOf(OPEN_TURN_MARK);
  if (at === -1) throw new EngineError("This model's chat template cannot leave the assistant turn open");
  return rendered.slice(0, at);
}
