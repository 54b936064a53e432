/**
 * The routing curve (Chart.js; loaded on first use): accuracy against the share of questions sent to the
 * large model, one point per threshold, with "small only" at 0 % and "always large" at 100 % (its level
 * drawn across, so "within a point of it" can be read off) and the picked threshold ringed.
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import type { RoutingStudy } from '../browser.js';
import { formatPercent } from '../ui/format.js';
import { chartTheme } from './chart-theme.js';

Chart.register(ScatterController, LineController, LineElement, LinearScale, PointElement, Tooltip, Legend);

export interface RoutingChart {
  update(study: RoutingStudy): void;
  destroy(): void;
}

type Point = { x: number; y: number };
const pct = (share: number) => share * 100;

export function createRoutingChart(canvas: HTMLCanvasElement): RoutingChart {
  const { ink, grid } = chartTheme(canvas);
  let study: RoutingStudy | null = null;
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [] },
    options: {
      animation: false,
      // The end markers sit on the axes' edges (0 % and 100 %): drawn whole, not cut in half.
      clip: false,
      responsive: true,
      maintainAspectRatio: false,
      color: ink,
      scales: {
        x: { type: 'linear', min: 0, max: 100, title: { display: true, text: 'questions sent to the large model (%)', color: ink }, ticks: { color: ink, callback: (v) => `${v}%` }, grid: { color: grid } },
        // Not pinned to 0–100: the gap between the two models is often a few points, which a full scale hides.
        y: { type: 'linear', grace: '8%', title: { display: true, text: 'accuracy (%)', color: ink }, ticks: { color: ink, callback: (v) => `${v}%` }, grid: { color: grid } },
      },
      plugins: {
        // In the order the datasets are listed (the drawing order would put the curve last).
        legend: { position: 'bottom', labels: { color: ink, usePointStyle: true, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const at = `${(item.parsed.y ?? 0).toFixed(1)}% accurate, ${(item.parsed.x ?? 0).toFixed(0)}% sent to the large model`;
              return item.datasetIndex === 0 && study ? `threshold ${study.curve[item.dataIndex]!.threshold.toFixed(2)}: ${at}` : `${item.dataset.label}: ${at}`;
            },
          },
        },
      },
    },
  });

  return {
    update(next) {
      study = next;
      const curve: Point[] = next.curve.map((p) => ({ x: pct(p.largeCallShare), y: pct(p.accuracy) }));
      const smallOnly: Point = { x: 0, y: pct(next.smallOnly) };
      const alwaysLarge: Point = { x: 100, y: pct(next.alwaysLarge) };
      const chosen: Point | null = next.atChosen ? { x: pct(next.atChosen.largeCallShare), y: pct(next.atChosen.accuracy) } : null;
      const datasets: ChartDataset<'scatter'>[] = [
        { label: 'small, escalate when the signal is below t', data: curve, showLine: true, borderColor: '#2563eb', backgroundColor: '#2563eb', borderWidth: 2, pointRadius: 2.5, order: 2 },
        { label: 'small only', data: [smallOnly], backgroundColor: '#059669', borderColor: '#059669', pointStyle: 'triangle', pointRadius: 9, order: 0 },
        {
          label: 'always large',
          data: [{ x: 0, y: alwaysLarge.y }, alwaysLarge],
          showLine: true,
          borderDash: [6, 5],
          borderColor: '#dc2626',
          backgroundColor: '#dc2626',
          pointStyle: 'rectRot',
          pointRadius: [0, 9],
          order: 1,
        },
        ...(chosen && next.chosenThreshold !== null
          ? // A ring, so a point it falls on (often "small only") still shows through.
            [{ label: `t = ${next.chosenThreshold.toFixed(2)}, picked`, data: [chosen], backgroundColor: 'rgba(0, 0, 0, 0)', borderColor: '#d97706', pointStyle: 'circle' as const, pointRadius: 13, borderWidth: 3, order: -1 }]
          : []),
      ];
      chart.data.datasets = datasets;
      chart.update();
      // What is drawn, as text: a summary for screen readers, and the plotted points for anything that checks them.
      canvas.setAttribute(
        'aria-label',
        `Routing curve over ${next.curve.length} thresholds: small only ${formatPercent(next.smallOnly, 1)}, always large ${formatPercent(next.alwaysLarge, 1)}` +
          (next.atChosen ? `; at threshold ${next.chosenThreshold} ${formatPercent(next.atChosen.accuracy, 1)} with ${formatPercent(next.atChosen.largeCallShare, 0)} sent to the large model` : ''),
      );
      canvas.dataset.plotted = JSON.stringify({ curve, smallOnly, alwaysLarge, chosen });
    },
    destroy: () => chart.destroy(),
  };
}
