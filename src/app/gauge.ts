/** A confidence gauge: the value as a bar, the threshold it is judged against as a mark. */
import { h } from '../ui/dom.js';
import { formatPercent, formatPercentAgainst } from '../ui/format.js';

export interface Gauge {
  element: HTMLElement;
  update(value: number | null, threshold?: number): void;
}

export function createGauge(label = 'Confidence'): Gauge {
  const fill = h('div', { class: 'gauge-fill' });
  const mark = h('div', { class: 'gauge-threshold', hidden: true, title: 'threshold' });
  const bar = h('div', { class: 'gauge-bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': label }, fill, mark);
  const caption = h('span', { class: 'gauge-caption' });
  const element = h('div', { class: 'gauge' }, h('span', { class: 'gauge-label' }, label), bar, caption);

  function update(value: number | null, threshold?: number): void {
    const known = value !== null && Number.isFinite(value);
    const pct = known ? Math.max(0, Math.min(1, value)) * 100 : 0;
    fill.style.width = `${pct}%`;
    bar.setAttribute('aria-valuenow', known ? pct.toFixed(0) : '0');
    element.dataset.state = !known ? 'unknown' : threshold === undefined ? 'plain' : value >= threshold ? 'above' : 'below';
    mark.hidden = threshold === undefined;
    if (threshold !== undefined) mark.style.left = `${Math.max(0, Math.min(1, threshold)) * 100}%`;
    const text = known ? formatPercentAgainst(value, threshold) : 'n/a';
    caption.textContent = threshold === undefined ? text : `${text} vs threshold ${formatPercent(threshold)}`;
    bar.setAttribute('aria-valuetext', caption.textContent);
  }
  update(null);
  return { element, update };
}
