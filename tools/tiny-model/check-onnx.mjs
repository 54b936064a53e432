// Loads public/models/tiny-arith with @huggingface/transformers fully offline (fp32 ONNX, onnxruntime-node)
// and checks that the greedy completions (and confidences) of the 20 fixed prompts equal reference.json.
//   node tools/tiny-model/check-onnx.mjs            # 20 fixed prompts (+ chat template, tokenizer checks)
//   node tools/tiny-model/check-onnx.mjs --full     # also greedy accuracy on the whole held-out set
//   node tools/tiny-model/check-onnx.mjs --dtype q8 # the int8 variant (reports differences, no exit code)
//   --model DIR / --heldout FILE: another model folder / held-out file (default: the committed ones)
// Run from the repository root. Exit code 1 on a mismatch.
import { AutoTokenizer, AutoModelForCausalLM, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const modelDir = path.resolve(opt('--model', path.join(repo, 'public/models/tiny-arith')));
const heldoutFile = path.resolve(opt('--heldout', path.join(repo, 'public/data/tiny-arith-heldout.jsonl')));
const modelId = path.basename(modelDir);
env.allowLocalModels = true;
env.allowRemoteModels = false;
env.localModelPath = path.dirname(modelDir) + '/';

const full = args.includes('--full');
const dtype = opt('--dtype', 'fp32');
const ref = JSON.parse(readFileSync(path.join(modelDir, 'reference.json'), 'utf8'));

const tokenizer = await AutoTokenizer.from_pretrained(modelId);
const model = await AutoModelForCausalLM.from_pretrained(modelId, { dtype });
const CN = tokenizer.convert_tokens_to_ids('<CN>');
const UN = tokenizer.convert_tokens_to_ids('<UN>');
const EOS = tokenizer.convert_tokens_to_ids('</s>');
let failures = 0;
const fail = (msg) => { failures++; console.log('MISMATCH', msg); };

// tokenizer + chat template
const rendered = tokenizer.apply_chat_template([{ role: 'user', content: '347+589' }], { tokenize: false, add_generation_prompt: true });
if (rendered !== '<s>347+589=') fail(`chat template rendered ${JSON.stringify(rendered)}`);
const ids = tokenizer.encode('<s>347+589=936<CN></s>', { add_special_tokens: false });
if (JSON.stringify(ids) !== JSON.stringify([1, 8, 9, 12, 15, 10, 13, 14, 18, 14, 8, 11, CN, EOS])) fail(`tokenization ${ids}`);
if (JSON.stringify(tokenizer.encode('1+2')) !== JSON.stringify([1, ...tokenizer.encode('1+2', { add_special_tokens: false })])) fail('post-processor does not add <s>');

function softmaxPair(row) {
  let m = -Infinity;
  for (const x of row) m = Math.max(m, x);
  const e = (i) => Math.exp(row[i] - m);
  return e(CN) / (e(CN) + e(UN));
}

// Greedy generation of a batch of prompts (left padded); returns completions (text before </s>) and the
// confidence at the first step whose chosen token is <CN>/<UN>/</s> (the position after the answer).
async function greedy(prompts) {
  const texts = prompts.map((p) => tokenizer.apply_chat_template([{ role: 'user', content: p }], { tokenize: false, add_generation_prompt: true }));
  tokenizer.padding_side = 'left';
  const inputs = tokenizer(texts, { add_special_tokens: false, padding: true });
  const B = prompts.length;
  const steps = [];
  const recorder = (input_ids, logits) => {
    const V = logits.dims.at(-1);
    const data = logits.data;
    const rows = [];
    for (let b = 0; b < B; b++) rows.push(Array.from(data.subarray(b * V, (b + 1) * V)));
    steps.push(rows);
    return logits;
  };
  const out = await model.generate({ ...inputs, max_new_tokens: 10, do_sample: false, logits_processor: [recorder] });
  const plen = inputs.input_ids.dims[1];
  const res = [];
  for (let b = 0; b < B; b++) {
    const row = Array.from(out[b].data).slice(plen).map(Number);
    const end = row.indexOf(EOS);
    const gen = end < 0 ? row : row.slice(0, end);
    let conf = null;
    for (let t = 0; t < row.length; t++) {
      if (row[t] === CN || row[t] === UN || row[t] === EOS) { conf = softmaxPair(steps[t][b]); break; }
    }
    const completion = tokenizer.decode(gen, { skip_special_tokens: false });
    const ansEnd = gen.findIndex((x) => x === CN || x === UN);
    const answer = tokenizer.decode(ansEnd < 0 ? gen : gen.slice(0, ansEnd), { skip_special_tokens: true });
    res.push({ completion, answer, conf });
  }
  return res;
}

const fixed = ref.fixedPrompts;
const got = [];
for (const f of fixed) got.push((await greedy([f.prompt]))[0]); // batch 1
const batched = await greedy(fixed.map((f) => f.prompt)); // one left-padded batch
let maxConfDiff = 0;
fixed.forEach((f, i) => {
  const g = got[i];
  const ok = g.completion === f.completion && g.answer === f.answer;
  const cd = Math.abs(g.conf - f.confidence);
  maxConfDiff = Math.max(maxConfDiff, cd);
  console.log(`${ok ? 'ok ' : 'BAD'} ${f.prompt.padEnd(8)} ${g.completion.padEnd(12)} ref ${f.completion.padEnd(12)} conf ${g.conf.toFixed(4)} ref ${f.confidence.toFixed(4)}`);
  if (!ok) fail(`${f.prompt}: ${g.completion} vs ${f.completion}`);
  if (cd > 1e-3) fail(`${f.prompt}: confidence ${g.conf} vs ${f.confidence}`);
  if (batched[i].completion !== f.completion) fail(`${f.prompt} (batched, left padded): ${batched[i].completion} vs ${f.completion}`);
});
console.log(`20 fixed prompts: ${dtype}, max |confidence diff| ${maxConfDiff.toExponential(2)}`);

if (full) {
  const items = readFileSync(heldoutFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const right = { '+': 0, '-': 0, '*': 0 }, n = { '+': 0, '-': 0, '*': 0 };
  const t0 = Date.now();
  for (let s = 0; s < items.length; s += 100) {
    const chunk = items.slice(s, s + 100);
    const r = await greedy(chunk.map((x) => x.prompt));
    chunk.forEach((x, i) => { n[x.op]++; if (r[i].answer === x.answer) right[x.op]++; });
  }
  const acc = {};
  for (const op of ['+', '-', '*']) acc[op] = right[op] / n[op];
  acc.overall = (right['+'] + right['-'] + right['*']) / items.length;
  console.log(`held-out greedy accuracy via transformers.js (${((Date.now() - t0) / 1000).toFixed(1)} s):`, JSON.stringify(acc), 'reference', JSON.stringify(ref.greedy.accuracy));
  for (const k of Object.keys(acc)) if (Math.abs(acc[k] - ref.greedy.accuracy[k]) > 0.005) fail(`held-out accuracy ${k}: ${acc[k]} vs ${ref.greedy.accuracy[k]}`);
}
if (dtype !== 'fp32') { console.log(`${failures} differences for dtype ${dtype} (informational)`); process.exit(0); }
console.log(failures ? `FAILED: ${failures} mismatches` : 'OK: ONNX via transformers.js matches reference.json');
process.exit(failures ? 1 : 0);
