/** The result cache: how many entries, how big, hits and misses since load, and a button to clear it. */
import type { Runtime } from '../browser.js';
import { h } from '../ui/dom.js';
import { formatBytes } from '../ui/format.js';

export interface CachePanel {
  element: HTMLElement;
  refresh(): Promise<void>;
}

export function createCachePanel(runtime: () => Runtime | null): CachePanel {
  const entries = h('dd', { 'data-stat': 'entries' }, '—');
  const size = h('dd', { 'data-stat': 'bytes' }, '—');
  const hits = h('dd', { 'data-stat': 'hits' }, '—');
  const misses = h('dd', { 'data-stat': 'misses' }, '—');
  const clear = h('button', { type: 'button', class: 'secondary', id: 'cache-clear' }, 'Clear cache');
  const element = h(
    'section',
    { class: 'card cache-panel', 'aria-labelledby': 'cache-title' },
    h('h2', { id: 'cache-title' }, 'Result cache'),
    h('p', { class: 'hint' }, 'Answers are kept in IndexedDB, keyed by model, strategy, sampling and question.'),
    h('dl', { class: 'stats' }, h('dt', {}, 'Entries'), entries, h('dt', {}, 'Size'), size, h('dt', {}, 'Hits'), hits, h('dt', {}, 'Misses'), misses),
    clear,
  );

  async function refresh(): Promise<void> {
    const current = runtime();
    if (!current) return;
    try {
      const stats = await current.cache.stats();
      entries.textContent = String(stats.entries);
      size.textContent = formatBytes(stats.bytes);
      hits.textContent = String(stats.hits);
      misses.textContent = String(stats.misses);
    } catch {
      // The runtime was swapped mid-call; the next refresh reads the new one.
    }
  }

  clear.addEventListener('click', async () => {
    const current = runtime();
    if (!current) return;
    clear.disabled = true;
    try {
      await current.cache.clear();
    } finally {
      clear.disabled = false;
      await refresh();
    }
  });

  return { element, refresh };
}
