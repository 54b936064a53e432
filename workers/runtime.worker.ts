import { exposeRuntimeHost } from '../src/worker.js';

exposeRuntimeHost();
