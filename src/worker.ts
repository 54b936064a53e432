/** For a worker of your own (`createRuntime({ workerUrl })`): call this in it to host the runtime. */
export { exposeRuntimeHost } from './runtime/host.js';
