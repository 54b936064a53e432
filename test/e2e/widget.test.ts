import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, HOSTILE_TEXT, poisonCache } from './fixtures/hostile-cache.js';
import { serveStatic, type StaticServer as FixtureServer } from './fixtures/static-server.js';
import { launchBrowser, screenshot, watchErrors } from './support/browser.js';
import { E2E_DIST, serveBuild, type StaticServer } from './support/server.js';

/**
 * `<second-thought-chat>` on a third-party page: the page (one origin) only adds the script tag and the
 * element; the widget, its worker, the engine's wasm and the model come from the build's server (another
 * origin, which sends CORS headers as any CDN would).
 */

const FIXTURE = join(import.meta.dirname, 'fixtures', 'third-party');
let widgetHost: StaticServer;
let thirdParty: FixtureServer;
let browser: Browser;
let page: Page;
let errors: string[];
const requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(E2E_DIST, 'widget', 'second-thought.js'))) {
    throw new Error('No widget build: run `npx vite build --config vite.widget.config.ts --mode e2e` (npm test does it)');
  }
  widgetHost = await serveBuild();
  const widgetOrigin = new URL(widgetHost.url).origin;
  thirdParty = await serveStatic({
    root: FIXTURE,
    transform: (path, body) => (path === 'index.html' ? body.toString().replace('%WIDGET_ORIGIN%', widgetOrigin) : body),
  });
  browser = await launchBrowser({ webgpu: false });
  page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  errors = watchErrors(page);
  page.on('request', (request) => requested.push(request.url()));
  // Listen from the first script on, as a host page would.
  await page.addInitScript(() => {
    const w = window as unknown as { answers: unknown[]; progress: string[] };
    w.answers = [];
    w.progress = [];
    document.addEventListener('st-answer', (e) => w.answers.push((e as CustomEvent).detail));
    document.addEventListener('st-progress', (e) => w.progress.push((e as CustomEvent).detail.stage));
  });
  await page.goto(thirdParty.url);
  await page.waitForFunction(() => document.querySelector('second-thought-chat')?.dataset.state === 'idle', null, { timeout: 60_000 });
});
afterAll(async () => {
  await browser?.close();
  await thirdParty?.close();
  await widgetHost?.close();
});

const shadow = <T>(fn: (root: ShadowRoot) => T) => page.evaluate(fn as never) as Promise<T>;

describe('the widget on a third-party page', () => {
  it('is one script from another origin, runs its model in a worker, and loads its model from beside the script', async () => {
    const html = readFileSync(join(FIXTURE, 'index.html'), 'utf8');
    expect(html.match(/<script/g)).toHaveLength(1);
    const where = await page.evaluate(async () => {
      const element = document.querySelector('second-thought-chat')!;
      const info = await element.info();
      const script = document.querySelector('script[src]') as HTMLScriptElement;
      return { page: location.origin, script: new URL(script.src).origin, info };
    });
    expect(where.page).not.toBe(where.script);
    expect(where.info).toMatchObject({ model: 'tiny-arith', worker: true, device: 'wasm' });
    // The model and the engine's wasm came from beside the widget script, not from the page's origin.
    expect(requested).toContain(`${where.script}/widget/models/tiny-arith/config.json`);
    expect(requested.some((url) => url.startsWith(`${where.script}/widget/assets/`) && url.endsWith('.wasm'))).toBe(true);
    expect(thirdParty.requests.every((path) => path === '/' || path === '/index.html')).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { progress: string[] }).progress.includes('loading'))).toBe(true);
  });

  it('can be used with the keyboard alone: Tab, type, Enter, answer, Tab to the trace, Enter opens it', async () => {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe('q');
    await page.keyboard.type('12+7');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { answers: unknown[] }).answers.length === 1, null, { timeout: 60_000 });
    const shown = await page.evaluate(() => {
      const root = document.querySelector('second-thought-chat')!.shadowRoot!;
      return { answer: root.querySelector('.answer')!.textContent, detail: (window as unknown as { answers: Array<{ answer: string }> }).answers[0]!.answer };
    });
    expect(shown.answer).toBe(shown.detail);
    expect(shown.answer).toMatch(/^-?\d+$/);

    for (let i = 0; i < 4; i++) {
      if ((await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.tagName)) === 'SUMMARY') break;
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.tagName)).toBe('SUMMARY');
    await page.keyboard.press('Enter');
    const trace = await page.evaluate(() => {
      const root = document.querySelector('second-thought-chat')!.shadowRoot!;
      return { open: root.querySelector('details')!.open, samples: root.querySelectorAll('.trace [data-type="sample"]').length, votes: root.querySelectorAll('.trace [data-type="vote"]').length };
    });
    expect(trace).toEqual({ open: true, samples: 4, votes: 1 });
    await screenshot(page, 'widget-third-party');
  });

  it('solve() resolves with the SolveResult, fires st-answer, and a repeat comes from the cache', async () => {
    const out = await page.evaluate(async () => {
      const element = document.querySelector('second-thought-chat')!;
      const first = await element.solve('347+589');
      const second = await element.solve('347+589');
      const events = (window as unknown as { answers: Array<{ answer: string }> }).answers;
      return { first: { answer: first.answer, cached: first.cached, kind: first.strategy.kind }, second: second.cached, events: events.length, last: events.at(-1)!.answer };
    });
    expect(out).toMatchObject({ first: { cached: false, kind: 'self-consistency' }, second: true, events: 3 });
    expect(out.last).toBe(out.first.answer);
  });

  it('shows model output that is HTML as text', async () => {
    expect(await page.evaluate(poisonCache, [HOSTILE, HOSTILE_TEXT] as [string, string])).toBeGreaterThan(0);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('second-thought-chat')?.dataset.state === 'idle', null, { timeout: 60_000 });
    const shown = await page.evaluate(async () => {
      const element = document.querySelector('second-thought-chat')!;
      const result = await element.solve('12+7');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const root = element.shadowRoot!;
      root.querySelector('details')!.open = true;
      return {
        cached: result.cached,
        answer: root.querySelector('.answer')!.textContent,
        trace: root.querySelector('.trace')!.textContent,
        imgs: root.querySelectorAll('img').length + document.querySelectorAll('img').length,
        bold: root.querySelectorAll('b').length,
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? 0,
      };
    });
    expect(shown).toMatchObject({ cached: true, answer: HOSTILE, imgs: 0, bold: 0, pwned: 0 });
    expect(shown.trace).toContain(HOSTILE_TEXT);
    await screenshot(page, 'widget-hostile-output');
    expect(errors).toEqual([]);
  });

  it('offers the reasoning model too: model="tiny-reasoner" shows its own example, loads it from beside the script and answers in steps', async () => {
    await page.evaluate(() => {
      const element = document.createElement('second-thought-chat');
      element.id = 'reasoner';
      element.setAttribute('model', 'tiny-reasoner');
      element.setAttribute('strategy', JSON.stringify({ kind: 'self-consistency', n: 4 }));
      document.body.append(element);
    });
    await page.waitForFunction(() => (document.querySelector('#reasoner') as HTMLElement | null)?.dataset.state === 'idle', null, { timeout: 60_000 });
    const placeholder = await page.evaluate(() => document.querySelector('#reasoner')!.shadowRoot!.querySelector('input')!.placeholder);
    expect(placeholder).toBe('e.g. What is 47*83+129?');
    await page.evaluate(() => {
      const root = document.querySelector('#reasoner')!.shadowRoot!;
      root.querySelector('input')!.value = 'What is 38*47+615?';
      root.querySelector('button')!.click();
    });
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('#reasoner')!.shadowRoot!.querySelector('.answer')?.textContent ?? ''), null, { timeout: 60_000 });
    const shown = await page.evaluate(async () => {
      const element = document.getElementById('reasoner') as HTMLElementTagNameMap['second-thought-chat'];
      const root = element.shadowRoot!;
      root.querySelector('details')!.open = true;
      return { info: await element.info(), answer: root.querySelector('.answer')!.textContent, samples: root.querySelectorAll('.trace [data-type="sample"]').length, trace: root.querySelector('.trace')!.textContent };
    });
    expect(shown.info).toMatchObject({ model: 'tiny-reasoner', worker: true, device: 'wasm' });
    expect(requested.some((url) => url.endsWith('/widget/models/tiny-reasoner/config.json') && !url.startsWith(thirdParty.url))).toBe(true);
    expect(shown.samples).toBe(4);
    // Its chains are steps, one equation a line; four sampled chains vote (the answer need not be right).
    expect(shown.trace).toMatch(/38\*47=.*\d+\+615=|615\+\d+=/s);
    expect(shown.answer).toMatch(/^\d+$/);
    await page.locator('#reasoner').scrollIntoViewIfNeeded();
    await screenshot(page, 'widget-reasoner');
    expect(errors).toEqual([]);
  });
});
