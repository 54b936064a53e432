import { createRuntime } from '../browser.js';

const root = document.querySelector<HTMLElement>('#app')!;
const status = document.createElement('p');
status.textContent = 'Loading tiny-arith…';
root.append(status);
const runtime = await createRuntime({ onProgress: (e) => (status.textContent = e.text) });
status.textContent = `Ready on ${runtime.info().device}`;
