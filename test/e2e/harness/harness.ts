/**
 * The page end-to-end tests and browser benchmarks drive: it exposes the browser build of the library on
 * `window`, exactly as a web developer would import it, plus the pieces a benchmark needs: a bare engine
 * call, a worker with a zero-cost engine, plain transformers.js in a worker, and a count of the messages
 * that cross between the page and its workers.
 */
import { wrap } from 'comlink';
import { runBrowserCoreBench } from '../../../bench/core-browser-page.js';
import { measureCore } from '../../../bench/core-measure.js';
import * as secondThought from '../../../src/browser.js';
import { createTransformersEngine } from '../../../src/engine/transformers.js';
import faultDeviceWorkerUrl from './fault-device.worker.ts?worker&url';
import countingWorkerUrl from './fault-free-counting.worker.ts?worker&url';
import faultWorkerUrl from './fault.worker.ts?worker&url';
import type { CallRecord } from '../fixtures/counting-engine.js';
import type { Peer } from './peer.worker.js';
import peerWorkerUrl from './peer.worker.ts?worker&url';
import zeroWorkerUrl from './zero.worker.ts?worker&url';

interface MessageCount {
  toWorker: number;
  fromWorker: number;
}

const counted: MessageCount = { toWorker: 0, fromWorker: 0 };
const NativeWorker = globalThis.Worker;
/** The reliability tests: workers started so far (to kill one as the browser would), and starts made to fail. */
const started: Worker[] = [];
let breakStarts = false;
/** Every worker the page starts from now on counts the messages it sends and receives. */
class CountingWorker extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    // A script that is not there: the worker fails to start, as when its chunk cannot be fetched.
    super(breakStarts ? new URL('missing-worker-chunk.js', location.href) : url, options);
    started.push(this);
    this.addEventListener('message', () => void counted.fromWorker++);
  }
  override postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions): void {
    counted.toWorker++;
    super.postMessage(message, transfer as Transferable[]);
  }
}
globalThis.Worker = CountingWorker;
// comlink's proxied callbacks (a verify function, and the per-event callbacks of earlier versions) talk over
// MessagePorts: those count too, both ways, so the figure is every message that crosses.
const portPost = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort['postMessage']>) {
  counted.toWorker++;
  return portPost.apply(this, args);
} as MessagePort['postMessage'];
const portListen = MessagePort.prototype.addEventListener;
MessagePort.prototype.addEventListener = function (this: MessagePort, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) {
  if (type === 'message') portListen.call(this, 'message', () => void counted.fromWorker++);
  return portListen.call(this, type, listener, options);
} as MessagePort['addEventListener'];

declare global {
  interface Window {
    secondThought: typeof secondThought;
    bench: {
      measureCore: typeof measureCore;
      runBrowserCoreBench: typeof runBrowserCoreBench;
      createTransformersEngine: typeof createTransformersEngine;
      zeroWorkerUrl: string;
      /** A scripted worker that dies on command (see fault.worker.ts). */
      faultWorkerUrl: string;
      /** The real model, whose GPU device is destroyed mid-generation (see fault-device.worker.ts). */
      faultDeviceWorkerUrl: string;
      /** The real model, every engine call recorded (see fault-free-counting.worker.ts). */
      countingWorkerUrl: string;
      /** Workers the page has started, oldest first. */
      workers(): Worker[];
      /** While on, every new worker fails to start (its script is missing). */
      breakWorkerStarts(on: boolean): void;
      /** The newest (counting) worker's engine calls, once every one has settled. */
      settledCalls(): Promise<CallRecord[]>;
      startPeer(): Promise<{ peer: ReturnType<typeof wrap<Peer>>; terminate(): void }>;
      messages(): MessageCount;
      resetMessages(): void;
    };
    harnessReady: boolean;
  }
}

window.secondThought = secondThought;
window.bench = {
  measureCore,
  runBrowserCoreBench,
  createTransformersEngine,
  zeroWorkerUrl: new URL(zeroWorkerUrl, location.href).href,
  faultWorkerUrl: new URL(faultWorkerUrl, location.href).href,
  faultDeviceWorkerUrl: new URL(faultDeviceWorkerUrl, location.href).href,
  countingWorkerUrl: new URL(countingWorkerUrl, location.href).href,
  workers: () => [...started],
  breakWorkerStarts(on: boolean) {
    breakStarts = on;
  },
  async settledCalls() {
    const worker = started.at(-1)!;
    const ask = () =>
      new Promise<CallRecord[]>((resolve) => {
        const onMessage = (event: MessageEvent) => {
          const data = event.data as { loadCalls?: CallRecord[] };
          if (!data?.loadCalls) return;
          worker.removeEventListener('message', onMessage);
          resolve(data.loadCalls);
        };
        worker.addEventListener('message', onMessage);
        worker.postMessage({ loadCalls: 'get' });
      });
    // An aborted request settles on the page before its engine call ends in the worker: wait for the calls.
    for (let tries = 0; ; tries++) {
      const calls = await ask();
      if (calls.every((c) => c.settled) || tries === 100) return calls;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  },
  async startPeer() {
    const worker = new NativeWorker(new URL(peerWorkerUrl, location.href), { type: 'module' });
    return { peer: wrap<Peer>(worker), terminate: () => worker.terminate() };
  },
  messages: () => ({ ...counted }),
  resetMessages() {
    counted.toWorker = 0;
    counted.fromWorker = 0;
  },
};
window.harnessReady = true;
