import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from './fixtures/static-server.js';
import { launchPersistent, screenshot, tempProfile, watchErrors } from './support/browser.js';
import { E2E_DIST } from './support/server.js';

/**
 * The installable, offline app. The build is served under a sub-path (the relative base must hold), visited
 * once, then the server is stopped: the app must load and solve from its service worker, across a reload
 * and a browser restart (persistent profile). Then a new build appears and the app offers to reload.
 */

const MOUNT = '/apps/second-thought/';

async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
}

async function solve(page: Page, question: string): Promise<{ answer: string | null; usage: string | null }> {
  const before = Number(await page.getAttribute('.result-view', 'data-finished'));
  await page.fill('#prompt', question);
  await page.press('#prompt', 'Enter');
  await page.waitForFunction((n) => Number(document.querySelector('.result-view')!.getAttribute('data-finished')) > n, before, { timeout: 60_000 });
  expect(await page.getAttribute('.result-view', 'data-state')).toBe('done');
  return { answer: await page.textContent('.answer'), usage: await page.textContent('.usage') };
}

describe('the offline app (PWA)', () => {
  it('works offline after one visit, across a reload and a browser restart, and offers a new version', async () => {
    const profile = tempProfile('pwa');
    let server: StaticServer | null = await serveStatic({ root: E2E_DIST, mount: MOUNT });
    const { port, url } = server;
    let context: BrowserContext | null = await launchPersistent(profile, { webgpu: false });
    try {
      let page = context.pages()[0] ?? (await context.newPage());
      const errors = watchErrors(page);
      await openApp(page, url);
      // The manifest is linked and names its icons.
      const manifest = await page.evaluate(async () => {
        const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!;
        return (await fetch(link.href)).json() as Promise<{ name: string; icons: unknown[]; start_url: string }>;
      });
      expect(manifest).toMatchObject({ name: 'Second Thought', start_url: './' });
      expect(manifest.icons.length).toBeGreaterThanOrEqual(2);
      // Installed and precached: the app says it is ready offline.
      await page.waitForFunction(() => document.documentElement.dataset.offline === 'ready', null, { timeout: 60_000 });
      expect(await page.isVisible('#pwa-toast')).toBe(true);
      const online = await solve(page, '12+7');
      expect(online.answer).toMatch(/^-?\d+$/);
      expect(errors).toEqual([]);

      // Server gone: a reload still loads the app and solves a new question with the model.
      await server.close();
      server = null;
      await page.reload();
      await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
      const offline = await solve(page, '731-286');
      expect(offline.answer).toMatch(/^-?\d+$/);
      expect(offline.usage).toMatch(/tokens generated/);

      // Browser restart, server still gone.
      await context.close();
      context = await launchPersistent(profile, { webgpu: false });
      page = context.pages()[0] ?? (await context.newPage());
      await openApp(page, url);
      const restarted = await solve(page, '47*83');
      expect(restarted.answer).toMatch(/^-?\d+$/);
      expect(await solve(page, '12+7')).toMatchObject({ answer: online.answer, usage: expect.stringMatching(/Served from the cache/) });
      await screenshot(page, 'pwa-offline-after-restart');

      // A new version on the server: the app offers it, and takes it only when asked.
      server = await serveStatic({
        root: E2E_DIST,
        mount: MOUNT,
        port,
        transform: (path, body) => (path === 'sw.js' ? `${body.toString()}\n// a new version\n` : body),
      });
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      await page.waitForSelector('#pwa-toast[data-kind="update"]:not([hidden])', { timeout: 30_000 });
      expect(await page.textContent('#pwa-toast')).toMatch(/new version/);
      await screenshot(page, 'pwa-update-prompt');
      expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())!.waiting))).toBe(true);
      await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), page.click('#pwa-reload')]);
      await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
      const after = await page.evaluate(async () => {
        const registration = (await navigator.serviceWorker.getRegistration())!;
        return { waiting: Boolean(registration.waiting), controlled: Boolean(navigator.serviceWorker.controller) };
      });
      expect(after).toEqual({ waiting: false, controlled: true });
      expect(await page.isVisible('#pwa-toast[data-kind="update"]')).toBe(false);
    } finally {
      await context?.close();
      await server?.close();
    }
  });
});
