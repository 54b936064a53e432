import { exposeRuntimeHost } from '../src/runtime/host.js';

exposeRuntimeHost();
