/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * The service worker (vite-plugin-pwa, `registerType: 'prompt'`): a note when the app is ready offline, and
 * a prompt when a new version is waiting. The new version takes over only when the person says so.
 */
import { registerSW } from 'virtual:pwa-register';
import { h } from '../ui/dom.js';

const HOUR = 60 * 60 * 1000;

export function setupPwa(): HTMLElement {
  const message = h('p', {});
  const reload = h('button', { type: 'button', id: 'pwa-reload' }, 'Reload');
  const dismiss = h('button', { type: 'button', class: 'secondary', id: 'pwa-dismiss' }, 'Later');
  const toast = h('div', { class: 'toast', id: 'pwa-toast', role: 'status', 'aria-live': 'polite', hidden: true }, message, reload, dismiss);
  let hideTimer: ReturnType<typeof setTimeout> | undefined;

  function show(text: string, kind: 'update' | 'offline'): void {
    clearTimeout(hideTimer);
    message.textContent = text;
    toast.dataset.kind = kind;
    reload.hidden = kind !== 'update';
    dismiss.textContent = kind === 'update' ? 'Later' : 'OK';
    toast.hidden = false;
    if (kind === 'offline') hideTimer = setTimeout(() => (toast.hidden = true), 8000);
  }
  dismiss.addEventListener('click', () => (toast.hidden = true));

  if (!('serviceWorker' in navigator)) return toast;
  const updateSW = registerSW({
    immediate: true,
    onNeedRefresh() {
      document.documentElement.dataset.update = 'waiting';
      show('A new version of Second Thought is available.', 'update');
      reload.focus();
    },
    onOfflineReady() {
      document.documentElement.dataset.offline = 'ready';
      show('Ready to work offline: the app, the engine and the bundled model are cached.', 'offline');
    },
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update().catch(() => {}), HOUR);
    },
  });
  reload.addEventListener('click', () => {
    reload.disabled = true;
    message.textContent = 'Updating…';
    void updateSW(true);
  });
  return toast;
}
