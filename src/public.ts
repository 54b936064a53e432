/** Everything the package exports besides `createRuntime` (which differs between Node and browsers). */
export * from './errors.js';
export type * from './types.js';
export type { Runtime, RuntimeOptions, RuntimeCache, CacheOptions, EngineRequest } from './runtime/runtime.js';
export type { DeviceRequest } from './engine/device.js';
export type { Engine, EngineInfo, EnginePrompt, GenerateParams, GenerateOutput, Generation, TokenStep } from './engine/engine.js';
export { MODEL_CATALOG, findModel, type ModelEntry, type ModelFamily } from './models/catalog.js';
export { extractAnswer } from './answers/extract.js';
export { MAX_SAMPLES, validateStrategy } from './request/schema.js';
export { MAX_SPEC_DEPTH } from './request/strategy-schema.js';
export { calibrate, type LabelledSignal, type CalibrateOptions, type Calibration } from './confidence/calibrate.js';
