// Loads public/models/tiny-reasoner with @huggingface/transformers fully offline (onnxruntime-node) and checks:
// the chat template renders the ChatML prompt exactly as the Python pipeline did, "Yes"/"No" are single vocabulary
// entries, and the greedy completions of the 20 fixed prompts equal reference.json (batch 1 and one left-padded batch).
//   node tools/tiny-model/reasoner/check-onnx.mjs                 # fp32, 20 fixed prompts
//   node tools/tiny-model/reasoner/check-onnx.mjs --full          # + greedy accuracy on the whole held-out set
//   node tools/tiny-model/reasoner/check-onnx.mjs --dtype q4      # the 4-bit MatMulNBits model: agreement with fp32's
//                                                                 # reference outputs and held-out accuracy (informational)
//   --model DIR / --heldout FILE: another model folder / held-out file; --smoke: report, never fail
// Run from the repository root. Exit code 1 on an fp32 mismatch.
import { AutoTokenizer, AutoModelForCausalLM, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const modelDir = path.resolve(opt('--model', path.join(repo, 'public/models/tiny-reasoner')));
const heldoutFile = path.resolve(opt('--heldout', path.join(repo, 'public/data/tiny-reasoner-heldout.jsonl')));
const modelId = path.basename(modelDir);
env.allowLocalModels = true;
env.allowRemoteModels = false;
env.localModelPath = path.dirname(modelDir) + '/';

const full = args.includes('--full');
const smoke = args.includes('--smoke');
const dtype = opt('--dtype', 'fp32');
const limit = Number(opt('--limit', '0'));
const ref = JSON.parse(readFileSync(path.join(modelDir, 'reference.json'), 'utf8'));

const t0 = Date.now();
const tokenizer = await AutoTokenizer.from_pretrained(modelId);
const model = await AutoModelForCausalLM.from_pretrained(modelId, { dtype });
console.log(`loaded ${modelId} (${dtype}) in ${Date.now() - t0} ms`);
const IM_END = tokenizer.convert_tokens_to_ids('<|im_end|>');
const PAD = tokenizer.convert_tokens_to_ids('<|endoftext|>');
let failures = 0;
const fail = (msg) => { failures++; console.log('MISMATCH', msg); };

// vocabulary and chat template
const vocab = tokenizer.get_vocab();
const vocabGet = (t) => (vocab instanceof Map ? vocab.get(t) : vocab[t]);
for (const t of ['Yes', 'No']) {
  const id = vocabGet(t);
  const enc = tokenizer.encode(t, { add_special_tokens: false });
  if (id === undefined || enc.length !== 1 || enc[0] !== id) fail(`"${t}" is not one token: vocab ${id}, encodes as ${enc}`);
}
const msgs = ref.fixedPrompts[0].messages;
const rendered = tokenizer.apply_chat_template(msgs, { tokenize: false, add_generation_prompt: true });
const want = msgs.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
if (rendered !== want) fail(`chat template rendered ${JSON.stringify(rendered)}`);
// the open turn the runtime builds for "Wait": the template cut right after the assistant content
const open = tokenizer.apply_chat_template([...msgs, { role: 'assistant', content: 'X\n\nWait,' }], { tokenize: false, add_generation_prompt: false });
if (!open.endsWith('<|im_start|>assistant\nX\n\nWait,<|im_end|>\n')) fail(`assistant turn rendered ${JSON.stringify(open.slice(-60))}`);

async function greedy(conversations, maxNew = 130) {
  const texts = conversations.map((m) => tokenizer.apply_chat_template(m, { tokenize: false, add_generation_prompt: true }));
  tokenizer.padding_side = 'left';
  const inputs = tokenizer(texts, { add_special_tokens: false, padding: true });
  const out = await model.generate({ ...inputs, max_new_tokens: maxNew, do_sample: false });
  const plen = inputs.input_ids.dims[1];
  const res = [];
  for (let b = 0; b < conversations.length; b++) {
    const row = Array.from(out[b].data).slice(plen).map(Number);
    const end = row.findIndex((x) => x === IM_END || x === PAD);
    res.push(tokenizer.decode(end < 0 ? row : row.slice(0, end), { skip_special_tokens: false }));
  }
  return res;
}

function lastNumber(text) {
  const m = text.match(/-?\d[\d,]*(?:\.\d+)?/g);
  return m ? m[m.length - 1].replace(/,/g, '') : null;
}

const fixed = ref.fixedPrompts;
const single = [];
for (const f of fixed) single.push((await greedy([f.messages]))[0]);
const batched = await greedy(fixed.map((f) => f.messages));
let agree = 0, agreeBatched = 0;
fixed.forEach((f, i) => {
  const ok = single[i] === f.completion;
  agree += ok;
  agreeBatched += batched[i] === f.completion;
  const q = f.messages.at(-1).content;
  console.log(`${ok ? 'ok ' : 'BAD'} ${q.slice(0, 40).padEnd(40)} -> ${JSON.stringify(single[i].split('\n').at(-1))} (ref ${JSON.stringify(f.completion.split('\n').at(-1))}, right ${f.correctAnswer})`);
  if (dtype === 'fp32') {
    if (!ok) fail(`${q}: ${JSON.stringify(single[i])} vs ${JSON.stringify(f.completion)}`);
    if (batched[i] !== f.completion) fail(`${q} (batched, left padded): ${JSON.stringify(batched[i])}`);
  }
});
console.log(`20 fixed prompts (${dtype}): ${agree}/20 equal to the fp32 reference at batch 1, ${agreeBatched}/20 in one left-padded batch`);
if (dtype === 'q4') {
  // reference.json's q4Completion is PyTorch's, on the same dequantised weights MatMulNBits computes with.
  const sameAsTorch = fixed.filter((f, i) => single[i] === f.q4Completion).length;
  console.log(`20 fixed prompts (q4): ${sameAsTorch}/20 equal to PyTorch's q4 completions (reference.json q4Completion)`);
}

if (full) {
  let items = readFileSync(heldoutFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  if (limit) items = items.slice(0, limit);
  const t1 = Date.now();
  let right = 0;
  const byOp = {};
  for (let s = 0; s < items.length; s += 50) {
    const chunk = items.slice(s, s + 50);
    const sys = fixed[0].messages[0];
    const r = await greedy(chunk.map((x) => [sys, { role: 'user', content: x.prompt }]));
    chunk.forEach((x, i) => {
      const ok = lastNumber(r[i]) === x.answer;
      right += ok;
      (byOp[x.op] ??= [0, 0])[0] += ok;
      byOp[x.op][1]++;
    });
  }
  const acc = right / items.length;
  const refAcc = ref.greedy.accuracy;
  console.log(`held-out greedy accuracy via transformers.js (${dtype}, ${items.length} questions, ${((Date.now() - t1) / 1000).toFixed(1)} s): ${acc.toFixed(4)}; ` +
    `reference (PyTorch fp32) ${refAcc}; difference ${(100 * (acc - refAcc)).toFixed(1)} points; by op ${JSON.stringify(Object.fromEntries(Object.entries(byOp).map(([k, [a, n]]) => [k, +(a / n).toFixed(3)])))}`);
  if (dtype === 'fp32' && !limit && Math.abs(acc - refAcc) > 0.005) fail(`held-out accuracy ${acc} vs ${refAcc}`);
}
if (dtype !== 'fp32' || smoke) { console.log(`${failures} differences (informational for dtype ${dtype}${smoke ? ', smoke' : ''})`); process.exit(0); }
console.log(failures ? `FAILED: ${failures} mismatches` : 'OK: ONNX via transformers.js matches reference.json');
process.exit(failures ? 1 : 0);
