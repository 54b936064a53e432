/** Accessible tabs (WAI-ARIA pattern): arrow keys move between tabs; the URL hash remembers the tab. */
import { h } from '../ui/dom.js';

export interface Tab {
  id: string;
  label: string;
  panel: HTMLElement;
}

export function createTabs(tabs: Tab[]): HTMLElement {
  const buttons = tabs.map((tab) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${tab.id}`, 'aria-controls': `panel-${tab.id}`, 'aria-selected': 'false', tabindex: -1 }, tab.label),
  );
  const panels = tabs.map((tab) => h('section', { role: 'tabpanel', id: `panel-${tab.id}`, 'aria-labelledby': `tab-${tab.id}`, hidden: true }, tab.panel));
  const list = h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Views' }, ...buttons);

  function select(index: number, focus = false, remember = true): void {
    buttons.forEach((button, i) => {
      const selected = i === index;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      panels[i]!.hidden = !selected;
    });
    if (focus) buttons[index]!.focus();
    if (remember) history.replaceState(null, '', `#${tabs[index]!.id}`);
  }

  buttons.forEach((button, i) => {
    button.addEventListener('click', () => select(i));
    button.addEventListener('keydown', (event) => {
      const last = tabs.length - 1;
      const to = event.key === 'ArrowRight' ? (i === last ? 0 : i + 1) : event.key === 'ArrowLeft' ? (i === 0 ? last : i - 1) : event.key === 'Home' ? 0 : event.key === 'End' ? last : -1;
      if (to >= 0) {
        event.preventDefault();
        select(to, true);
      }
    });
  });

  const initial = tabs.findIndex((tab) => `#${tab.id}` === location.hash);
  select(initial >= 0 ? initial : 0, false, false);
  return h('div', { class: 'tabbed' }, list, ...panels);
}
