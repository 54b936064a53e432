/**
 * The page end-to-end tests and browser benchmarks drive: it exposes the browser build of the library on
 * `window`, exactly as a web developer would import it, plus the pieces a benchmark needs to time a bare
 * engine call beside it.
 */
import { measureCore } from '../../../bench/core-measure.js';
import * as secondThought from '../../../src/browser.js';
import { createTransformersEngine } from '../../../src/engine/transformers.js';

declare global {
  interface Window {
    secondThought: typeof secondThought;
    bench: { measureCore: typeof measureCore; createTransformersEngine: typeof createTransformersEngine };
    harnessReady: boolean;
  }
}

window.secondThought = secondThought;
window.bench = { measureCore, createTransformersEngine };
window.harnessReady = true;
