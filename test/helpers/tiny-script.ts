import type { ScriptedReply, Script } from './scripted-engine.js';

export interface TinyWorld {
  /** Reply to the solve prompt (`<s>347+589=`); `sample` counts draft rows across calls. */
  draft: (call: { sample: number; row: number; temperature: number }) => ScriptedReply | string;
  /** Reply to the check prompt `<s>q=claimed?`: the restated result and P(Y); `call` tells greedy from sampled rows. */
  check?: (claimed: string, question: string, call: { row: number; temperature: number }) => { restated: string; yes: number };
}

/** A scripted engine script that speaks tiny-arith's formats, for strategy tests. */
export function tinyScript(world: TinyWorld): Script & { prompts: string[] } {
  let sample = 0;
  const prompts: string[] = [];
  const script = (({ prompt, params, row }) => {
    if ('text' in prompt) {
      prompts.push(prompt.text);
      const match = /^<s>(.*)=(.*)\?$/.exec(prompt.text);
      if (!match || !world.check) throw new Error(`unexpected prompt ${prompt.text}`);
      const { restated, yes } = world.check(match[2]!, match[1]!, { row, temperature: params.temperature });
      return { text: `${restated}${yes >= 0.5 ? 'Y' : 'N'}`, watched: { Y: Math.log(yes), N: Math.log(1 - yes) } };
    }
    prompts.push(`draft:${prompt.messages.at(-1)!.content}`);
    return world.draft({ sample: sample++, row, temperature: params.temperature });
  }) as Script & { prompts: string[] };
  script.prompts = prompts;
  return script;
}

/** A checker that knows the right answer: restates it and says Y only to it. */
export function honestCheck(right: string, yes = 0.9) {
  return (claimed: string) => ({ restated: right, yes: claimed === right ? yes : 1 - yes });
}
