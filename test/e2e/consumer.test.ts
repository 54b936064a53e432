import { join } from 'node:path';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, watchErrors } from './support/browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'consumer');
const OUT = join(ROOT, '.e2e-consumer');

let browser: Browser;
let url: string;
let close: () => void;

/** A third-party app bundles the BUILT package (dist/lib) with its own Vite, and serves our models itself. */
beforeAll(async () => {
  await build({
    configFile: false,
    root: FIXTURE,
    base: './',
    logLevel: 'error',
    publicDir: join(ROOT, 'dist'),
    worker: { format: 'es' },
    build: { outDir: OUT, emptyOutDir: true, target: 'es2022', copyPublicDir: false },
  });
  const { cpSync } = await import('node:fs');
  cpSync(join(ROOT, 'dist', 'models'), join(OUT, 'models'), { recursive: true });
  const server = await preview({ configFile: false, root: FIXTURE, logLevel: 'error', build: { outDir: OUT }, preview: { port: 0, host: '127.0.0.1' } });
  const address = server.httpServer.address() as { port: number };
  url = `http://127.0.0.1:${address.port}/`;
  close = () => server.httpServer.close();
  browser = await launchBrowser({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
  close?.();
});

describe('the built package in a bundled browser app', () => {
  it("`import { createRuntime } from 'second-thought'` runs the model in a worker", async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(url);
    await page.waitForFunction(() => 'consumerResult' in window, null, { timeout: 60_000 });
    const result = await page.evaluate(() => (window as unknown as { consumerResult: { answer: string; info: { worker: boolean; device: string } } }).consumerResult);
    expect(result.answer).toMatch(/^-?\d+$/);
    expect(result.info).toMatchObject({ worker: true, device: 'wasm' });
    expect(await page.textContent('#answer')).toBe(result.answer);
    expect(errors).toEqual([]);
  });
});
