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
