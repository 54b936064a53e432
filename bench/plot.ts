/**
 * Draws accuracy against mean completion tokens per question with Chart.js in headless Chromium and saves
 * the canvas as a PNG (the chart library does the drawing; the browser is only its canvas).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { launchBrowser } from '../test/e2e/support/browser.js';

export interface PlotPoint {
  name: string;
  tokens: number;
  accuracy: number;
}

export async function plotAccuracyVsTokens(points: PlotPoint[], title: string, path: string): Promise<void> {
  // The package's exports map hides its UMD build; it sits beside the CommonJS entry.
  const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  const browser = await launchBrowser({ webgpu: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 }, deviceScaleFactor: 1 });
    await page.setContent('<!doctype html><body style="margin:0;background:#fff"><canvas id="c" width="1100" height="700"></canvas></body>');
    await page.addScriptTag({ path: chartJs });
    await page.evaluate(
      ({ points, title }) => {
        const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
        const Chart = (window as unknown as { Chart: new (el: HTMLCanvasElement, config: unknown) => unknown }).Chart;
        new Chart(document.getElementById('c') as HTMLCanvasElement, {
          type: 'scatter',
          data: {
            datasets: points.map((p, i) => ({
              label: p.name,
              data: [{ x: p.tokens, y: p.accuracy * 100 }],
              backgroundColor: palette[i % palette.length],
              pointRadius: 7,
              pointStyle: ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot'][Math.floor(i / palette.length) % 6],
            })),
          },
          options: {
            animation: false,
            responsive: false,
            plugins: { title: { display: true, text: title, font: { size: 16 } }, legend: { position: 'right', labels: { usePointStyle: true, boxWidth: 8 } } },
            scales: {
              x: { type: 'logarithmic', title: { display: true, text: 'mean completion tokens per question (log scale)' } },
              y: { title: { display: true, text: 'exact-match accuracy (%)' } },
            },
          },
        });
      },
      { points, title },
    );
    await page.locator('#c').screenshot({ path });
  } finally {
    await browser.close();
  }
}

export interface CurvePoint {
  x: number;
  y: number;
}

/** A line of points (x and y in percent) with labelled horizontal reference lines, saved as a PNG. */
export async function plotCurve(
  line: { label: string; points: CurvePoint[] },
  references: Array<{ label: string; y: number }>,
  axes: { title: string; x: string; y: string },
  path: string,
): Promise<void> {
  const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  const browser = await launchBrowser({ webgpu: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 }, deviceScaleFactor: 1 });
    await page.setContent('<!doctype html><body style="margin:0;background:#fff"><canvas id="c" width="1000" height="600"></canvas></body>');
    await page.addScriptTag({ path: chartJs });
    await page.evaluate(
      ({ line, references, axes }) => {
        const Chart = (window as unknown as { Chart: new (el: HTMLCanvasElement, config: unknown) => unknown }).Chart;
        const xs = line.points.map((p) => p.x);
        const span = [Math.min(...xs), Math.max(...xs)];
        const colors = ['#d62728', '#2ca02c', '#7f7f7f'];
        new Chart(document.getElementById('c') as HTMLCanvasElement, {
          type: 'scatter',
          data: {
            datasets: [
              { label: line.label, data: line.points, showLine: true, borderColor: '#1f77b4', backgroundColor: '#1f77b4', pointRadius: 2 },
              ...references.map((r, i) => ({ label: r.label, data: span.map((x) => ({ x, y: r.y })), showLine: true, borderDash: [6, 4], borderColor: colors[i % 3], pointRadius: 0 })),
            ],
          },
          options: {
            animation: false,
            responsive: false,
            plugins: { title: { display: true, text: axes.title, font: { size: 16 } }, legend: { position: 'bottom' } },
            scales: { x: { title: { display: true, text: axes.x } }, y: { title: { display: true, text: axes.y } } },
          },
        });
      },
      { line, references, axes },
    );
    await page.locator('#c').screenshot({ path });
  } finally {
    await browser.close();
  }
}
