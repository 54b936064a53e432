/**
 * The widget's one script: `<script type="module" src="…/second-thought.js"></script>` defines
 * `<second-thought-chat>`. Its engine chunks, worker, wasm and bundled model load from beside this file.
 */
import { SecondThoughtChat, setScriptUrl } from './element.js';

setScriptUrl(import.meta.url);
if (!customElements.get('second-thought-chat')) customElements.define('second-thought-chat', SecondThoughtChat);

export { SecondThoughtChat };
export type { WidgetProgress } from './element.js';
