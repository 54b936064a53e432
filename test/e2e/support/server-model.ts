import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { tinyArithModel } from '../../helpers/openai-fixture-models.js';
import { startOpenAIServer, type FixtureServer } from '../../helpers/openai-server.js';
import { launchBrowser, watchErrors } from './browser.js';
import { serveBuild, type StaticServer } from './server.js';

/**
 * The app's "Larger model on a server", as a person fills it in: shared by the tests that load tiny-arith
 * on the device with the fixture server (serving the real tiny-arith) as "big".
 */

/** A loopback port nothing listens on: connections to it are refused at once. */
export async function refusingPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Fills the server form (model id and family tiny-arith), presses Load model and waits for it to settle. */
export async function loadWithServer(page: Page, baseUrl: string, apiKey: string): Promise<void> {
  if (!(await page.locator('#server-form').evaluate((d) => (d as HTMLDetailsElement).open))) await page.click('#server-form summary');
  await page.fill('#server-url', baseUrl);
  await page.fill('#server-model', 'tiny-arith');
  await page.selectOption('#server-family', 'tiny-arith');
  await page.fill('#server-key', apiKey);
  await page.click('#model-load');
  await page.waitForSelector('#model-status[data-state="ready"], #model-status[data-state="error"]', { timeout: 90_000 });
}

export interface AppWithServer {
  site: StaticServer;
  /** vLLM-shaped, serving the real tiny-arith, asking for `apiKey`. */
  api: FixtureServer;
  browser: Browser;
  page: Page;
  /** The page's uncaught errors and console errors. */
  errors: string[];
  close(): Promise<void>;
}

/** The e2e build in headless Chromium (WASM) with tiny-arith loaded on the device, and the fixture server started. */
export async function openAppWithServer(apiKey: string): Promise<AppWithServer> {
  const site = await serveBuild();
  const api = await startOpenAIServer({ mode: 'vllm', model: await tinyArithModel(), modelName: 'tiny-arith', apiKey });
  const browser = await launchBrowser({ webgpu: false });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(site.url);
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
  return {
    site,
    api,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await Promise.all([site.close(), api.close()]);
    },
  };
}
