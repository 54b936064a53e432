/**
 * A runtime worker whose engine costs nothing (a scripted engine answering at once): what a solve costs on
 * top of it is the runtime's own work, page → worker → page.
 */
import type { Endpoint } from 'comlink';
import { memoryStore } from '../../../src/cache/store.js';
import { findModel } from '../../../src/models/catalog.js';
import { hostRuntime } from '../../../src/runtime/host.js';
import { createLocalRuntime } from '../../../src/runtime/local.js';
import { scriptedEngine } from '../../helpers/scripted-engine.js';

hostRuntime(self as unknown as Endpoint, async () =>
  createLocalRuntime({ engine: scriptedEngine(({ row }) => String(40 + (row % 3))), model: findModel('tiny-arith'), store: memoryStore(), worker: true }),
);
