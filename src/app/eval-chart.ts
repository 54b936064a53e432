/** Accuracy against tokens per question, one point per strategy (Chart.js scatter; loaded on first use). */
import { Chart, Legend, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { accuracy, tokensPerQuestion, type Score } from './eval-runner.js';
import { chartTheme } from './chart-theme.js';

Chart.register(ScatterController, LinearScale, PointElement, Tooltip, Legend);

const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];

export interface EvalChart {
  update(scores: readonly Score[]): void;
  destroy(): void;
}

export function createEvalChart(canvas: HTMLCanvasElement): EvalChart {
  const { ink, grid } = chartTheme(canvas);
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      color: ink,
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'generated tokens per question', color: ink }, ticks: { color: ink }, grid: { color: grid } },
        y: { type: 'linear', min: 0, max: 100, title: { display: true, text: 'accuracy (%)', color: ink }, ticks: { color: ink, callback: (v) => `${v}%` }, grid: { color: grid } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: ink, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${(item.parsed.y ?? 0).toFixed(1)}% at ${(item.parsed.x ?? 0).toFixed(1)} tokens/question`,
          },
        },
      },
    },
  });

  return {
    update(scores) {
      const datasets: ChartDataset<'scatter'>[] = scores.map((score, i) => ({
        label: score.label,
        data: [{ x: tokensPerQuestion(score), y: accuracy(score) * 100 }],
        backgroundColor: PALETTE[i % PALETTE.length],
        borderColor: PALETTE[i % PALETTE.length],
        pointRadius: 7,
        pointHoverRadius: 9,
      }));
      chart.data.datasets = datasets;
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}
