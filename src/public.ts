/** Everything the package exports besides `createRuntime` (which differs between Node and browsers). */
export {
  AbortError,
  ContextLengthError,
  DeviceUnavailableError,
  EngineError,
  InvalidRequestError,
  ModelNotFoundError,
  RuntimeDisposedError,
  SecondThoughtError,
  WorkerCrashedError,
  RemoteEngineError,
  LogprobsUnavailableError,
  DeviceLostError,
  isAbortError,
  type ErrorDetails,
} from './errors.js';
export type * from './types.js';
export type { Runtime, RuntimeOptions, RuntimeCache, CacheOptions, EngineRequest } from './runtime/runtime.js';
export type { DeviceRequest } from './engine/device.js';
export { MODEL_CATALOG, findModel, type ModelEntry, type ModelFamily, type RemoteServer } from './models/catalog.js';
export type { ModelChoice, ModelDescription } from './models/describe.js';
export { extractAnswer } from './answers/extract.js';
export { validateStrategy } from './request/schema.js';
export { MAX_SAMPLES, MAX_SPEC_DEPTH, MAX_ROUNDS, MAX_VERIFICATIONS } from './strategies/fields.js';
export { listStrategies, type StrategyInfo, type StrategyField } from './strategies/forms.js';
export { calibrate, type LabelledSignal, type CalibrateOptions, type Calibration } from './confidence/calibrate.js';
export { routingCurve, routingStudy, ROUTING_THRESHOLDS, type RoutedQuestion, type RoutingPoint, type RoutingStudy, type RoutingStudyOptions } from './confidence/routing-curve.js';
export { recordRouting, type RoutingRecordOptions, type RoutedAnswer } from './confidence/routing-record.js';
