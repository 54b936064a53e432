/** Runtime-core benchmark in Node (onnxruntime-node, in-process). Prints one JSON line. */
import { memoryStore } from '../src/cache/store.js';
import { createTransformersEngine } from '../src/engine/transformers.js';
import { findModel } from '../src/models/catalog.js';
import { bundledModelsFolder } from '../src/models/node-base.js';
import { packFor } from '../src/prompts/index.js';
import { createLocalRuntime } from '../src/runtime/local.js';
import { heldOutSample } from '../test/helpers/reference.js';
import { scriptedEngine } from '../test/helpers/scripted-engine.js';
import { measureCore, measurePeer, measureRuntimeCost } from './core-measure.js';
import { createPeer } from './peer-node.js';

const count = Number(process.env.BENCH_PROMPTS ?? 300);
const model = findModel('tiny-arith');
const prompts = heldOutSample(count).map((x) => x.prompt);

const zero = createLocalRuntime({ engine: scriptedEngine(({ row }) => String(40 + (row % 3))), model, store: memoryStore() });
const runtimeCost = await measureRuntimeCost(zero);
await zero.dispose();

const engine = await createTransformersEngine({ model, device: 'auto', modelBase: bundledModelsFolder() });
const runtime = createLocalRuntime({ engine, model, store: memoryStore() });
const core = await measureCore(engine, runtime, prompts);

const pack = packFor(model.family);
const peer = await createPeer(bundledModelsFolder(), model.id);
const peerResult = await measurePeer(
  runtime,
  (p) => peer.sample(p, 8, pack.draftMaxTokens, pack.defaultTemperature),
  prompts.slice(0, 100),
  (p, i) => ({ prompt: p, answer: { kind: 'number' }, strategy: { kind: 'self-consistency', n: 8 }, sampling: { seed: i, temperature: pack.defaultTemperature } }),
);
await peer.dispose();
await runtime.dispose();
console.log(JSON.stringify({ where: 'node', device: 'cpu', ...core, runtimeCost, peer: peerResult }));
