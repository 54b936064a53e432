import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Flags measured to work headless as root here (see shared/ENVIRONMENT.md); without the networking ones
 * Chromium floods the closed network with refused connections. */
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchOptions {
  /** Expose WebGPU (SwiftShader). Without it `requestAdapter()` returns null and the runtime falls back to WASM. */
  webgpu: boolean;
}

function executablePath(): string {
  const path = process.env.CHROMIUM_PATH;
  if (!path) throw new Error('CHROMIUM_PATH is not set: run the e2e tests through `npm test` (scripts/test.mjs finds Chromium)');
  return path;
}

function args(options: LaunchOptions): string[] {
  return options.webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS;
}

export function launchBrowser(options: LaunchOptions): Promise<Browser> {
  return chromium.launch({ executablePath: executablePath(), headless: true, args: args(options) });
}

/** A profile on disk, so IndexedDB, the Cache API and service workers survive a browser restart. */
export function launchPersistent(profileDir: string, options: LaunchOptions): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: executablePath(), headless: true, args: args(options) });
}

export function tempProfile(name: string): string {
  return mkdtempSync(join(tmpdir(), `st-${name}-`));
}

export const SCREENSHOTS = join(import.meta.dirname, '..', '..', '..', 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects uncaught page errors and console errors, so a test can assert the page stayed clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}
