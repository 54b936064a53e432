/**
 * The page end-to-end tests drive: it exposes the browser build of the library on `window`, exactly as a
 * web developer would import it, and nothing else.
 */
import * as secondThought from '../../../src/browser.js';

declare global {
  interface Window {
    secondThought: typeof secondThought;
    harnessReady: boolean;
  }
}

window.secondThought = secondThought;
window.harnessReady = true;
