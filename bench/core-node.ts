/** Runtime-core benchmark in Node (onnxruntime-node, in-process). Prints one JSON line. */
import { memoryStore } from '../src/cache/store.js';
import { createTransformersEngine } from '../src/engine/transformers.js';
import { findModel } from '../src/models/catalog.js';
import { bundledModelsFolder } from '../src/models/node-base.js';
import { createLocalRuntime } from '../src/runtime/local.js';
import { heldOutSample } from '../test/helpers/reference.js';
import { measureCore } from './core-measure.js';

const count = Number(process.env.BENCH_PROMPTS ?? 300);
const model = findModel('tiny-arith');
const engine = await createTransformersEngine({ model, device: 'auto', modelBase: bundledModelsFolder() });
const runtime = createLocalRuntime({ engine, model, store: memoryStore() });
const result = await measureCore(engine, runtime, heldOutSample(count).map((x) => x.prompt));
await runtime.dispose();
console.log(JSON.stringify({ where: 'node', device: 'cpu', ...result }));
