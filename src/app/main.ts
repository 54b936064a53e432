/** The Second Thought web app: model picker, Ask, Evaluate, result cache, offline support. */
import './styles.css';
import { createAskView } from './ask.js';
import { createCachePanel } from './cache-panel.js';
import { h } from '../ui/dom.js';
import { createEvaluateView } from './evaluate.js';
import { createModelPicker } from './model-picker.js';
import { setupPwa } from './pwa.js';
import { createSession } from './session.js';
import { createTabs } from './tabs.js';

const root = document.querySelector<HTMLElement>('#app')!;
const session = createSession();
const cachePanel = createCachePanel(session.runtime);
const modelPicker = createModelPicker(session);

root.replaceChildren(
  h(
    'header',
    { class: 'masthead' },
    h('h1', {}, 'Second Thought'),
    h('p', { class: 'tagline' }, 'A small language model in your browser that thinks twice: sampling, voting, verification and confidence-gated second thoughts. Nothing leaves this device.'),
  ),
  h(
    'div',
    { class: 'layout' },
    // Reading order (and a phone's): model, then Ask/Evaluate, then the cache. Wide screens put the model
    // and the cache in a column on the right.
    modelPicker.element,
    h(
      'main',
      { class: 'main-column', id: 'main' },
      createTabs([
        { id: 'ask', label: 'Ask', panel: createAskView(session, () => void cachePanel.refresh()) },
        { id: 'evaluate', label: 'Evaluate', panel: createEvaluateView(session) },
      ]),
    ),
    cachePanel.element,
  ),
  h('footer', { class: 'footer' }, h('p', {}, 'Models run on WebGPU where available, else WASM, in a Web Worker. Answers are cached in IndexedDB on this device.')),
  setupPwa(),
);

session.onChange((runtime) => {
  document.body.dataset.model = runtime ? 'ready' : 'loading';
  if (runtime) void cachePanel.refresh();
});
void modelPicker.load();
