/**
 * DeepConf's traces at a glance: one bar per trace, its confidence (the lowest group's), stopped traces
 * greyed, traces under the threshold (no vote) pale, the warm-up threshold as a line. People compare bar
 * heights faster than they read numbers.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip, type Plugin, type TooltipItem } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface TraceBar {
  index: number;
  score: number | null;
  stopped: boolean;
  threshold: number | null;
}

export interface ConfidenceChart {
  element: HTMLElement;
  add(bar: TraceBar): void;
  /** The threshold the vote used, once the strategy has said it (warm-up traces carry none of their own). */
  setThreshold(value: number): void;
}

/** Draws the threshold across the bars. */
const thresholdLine: Plugin<'bar'> = {
  id: 'threshold-line',
  afterDatasetsDraw(chart) {
    const value = (chart.options.plugins as { thresholdLine?: { value: number | null } }).thresholdLine?.value;
    if (value === null || value === undefined) return;
    const y = chart.scales.y!.getPixelForValue(value);
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.strokeStyle = '#dc2626';
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(chartArea.left, y);
    ctx.lineTo(chartArea.right, y);
    ctx.stroke();
    ctx.restore();
  },
};

export function createConfidenceChart(): ConfidenceChart {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'Confidence of each reasoning trace; stopped traces in grey, traces under the threshold pale, the threshold as a dashed line');
  const element = document.createElement('div');
  element.className = 'confidence-chart';
  element.append(canvas);
  const bars: TraceBar[] = [];
  let chart: Chart<'bar'> | null = null;
  let voteThreshold: number | null = null;
  /** The threshold the bars are drawn against; the tooltip says the same. */
  let shown: number | null = null;
  const belowThreshold = (b: TraceBar, threshold: number | null) => !b.stopped && threshold !== null && b.score !== null && b.score < threshold;
  const colour = (b: TraceBar, threshold: number | null) => (b.stopped ? '#9ca3af' : belowThreshold(b, threshold) ? '#bfdbfe' : '#2563eb');

  function render(): void {
    const threshold = voteThreshold ?? bars.findLast((b) => b.threshold !== null)?.threshold ?? null;
    shown = threshold;
    if (threshold !== null) element.dataset.threshold = threshold.toFixed(3);
    const data = {
      labels: bars.map((b) => `#${b.index + 1}`),
      datasets: [
        {
          label: 'trace confidence',
          data: bars.map((b) => b.score ?? 0),
          backgroundColor: bars.map((b) => colour(b, threshold)),
        },
      ],
    };
    if (chart) {
      chart.data = data;
      (chart.options.plugins as { thresholdLine?: { value: number | null } }).thresholdLine = { value: threshold };
      chart.update();
      return;
    }
    chart = new Chart(canvas, {
      type: 'bar',
      data,
      plugins: [thresholdLine],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'confidence' } }, x: { ticks: { autoSkip: true, maxRotation: 0 } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item: TooltipItem<'bar'>) => {
                const bar = bars[item.dataIndex];
                const note = bar?.stopped ? ' (stopped early)' : bar && belowThreshold(bar, shown) ? ' (under the threshold: no vote)' : '';
                return `${(item.parsed.y ?? 0).toFixed(2)}${note}`;
              },
            },
          },
          ...({ thresholdLine: { value: threshold } } as object),
        },
      },
    });
  }

  return {
    element,
    add(bar) {
      bars.push(bar);
      // Layout first: Chart.js measures its parent, which is only in the page after this call returns.
      queueMicrotask(render);
    },
    setThreshold(value) {
      voteThreshold = value;
      queueMicrotask(render);
    },
  };
}
