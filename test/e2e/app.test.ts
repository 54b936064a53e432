import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, HOSTILE_TEXT, poisonCache } from './fixtures/hostile-cache.js';
import { launchBrowser, screenshot, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * The web app as a person uses it, in headless Chromium without WebGPU (WASM: fast and deterministic).
 * Every step goes through the page's controls; the only reach into the page is to poison the cache with
 * HTML "model output".
 */

let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await serveBuild();
  browser = await launchBrowser({ webgpu: false });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = watchErrors(page);
  // Record what the model card's progress line says while the model loads.
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { progressSeen: string[] }).progressSeen = []);
    new MutationObserver(() => {
      const text = document.querySelector('.progress-row:not([hidden]) .progress-text')?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.goto(server.url);
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Types a question, presses Enter, and waits for this request's outcome (an answer or an error). */
async function ask(question?: string): Promise<void> {
  const before = Number(await page.getAttribute('.result-view', 'data-finished'));
  if (question !== undefined) await page.fill('#prompt', question);
  await page.press('#prompt', 'Enter');
  await page.waitForFunction((n) => Number(document.querySelector('.result-view')!.getAttribute('data-finished')) > n, before, { timeout: 60_000 });
}

const stat = (name: string) => page.textContent(`.cache-panel [data-stat="${name}"]`);

describe('the app', () => {
  it('loads the bundled model and says why it runs on WASM', async () => {
    const notes = await page.textContent('#device-notes');
    expect(notes).toMatch(/WebGPU unavailable.*using WASM/);
    expect(notes).toMatch(/tiny-arith runs on WASM \(CPU\) with transformers\.js in a Web Worker/);
    expect(await page.textContent('#model-status')).toBe('tiny-arith · wasm');
    const progressSeen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(progressSeen.some((text) => /Loading tiny-arith: [\d.]+ MB of [\d.]+ MB/.test(text))).toBe(true);
    expect(await page.isHidden('.progress-row')).toBe(true);
    expect(await page.locator('#model-select option').count()).toBeGreaterThan(5);
    // The catalogue lists download sizes; choosing a WebLLM build here (no WebGPU) explains and blocks.
    await page.selectOption('#model-select', 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    await expect.poll(() => page.textContent('#device-notes')).toMatch(/WebLLM models need WebGPU/);
    expect(await page.textContent('.model-facts')).toMatch(/Download 280 MB · needs about 945 MB of memory/);
    expect(await page.isDisabled('#model-load')).toBe(true);
    await page.selectOption('#model-select', 'tiny-arith');
    await expect.poll(() => page.isDisabled('#model-load')).toBe(false);
    expect(await page.textContent('#device-notes')).toMatch(/tiny-arith runs on WASM/);
    await screenshot(page, 'app-ready');
  });

  it('solves a question with its live trace, then serves it again from the cache with a badge', async () => {
    // Count the tokens that stream into the live view while the samples are generated.
    await page.evaluate(() => {
      const w = window as unknown as { streamed: number };
      w.streamed = 0;
      new MutationObserver((records) => {
        for (const record of records) w.streamed += [...record.addedNodes].filter((n) => n.nodeType === Node.TEXT_NODE).length;
      }).observe(document.querySelector('.trace-live')!, { childList: true, subtree: true });
    });
    await ask('347+589');
    expect(await page.evaluate(() => (window as unknown as { streamed: number }).streamed)).toBeGreaterThan(8);
    expect(await page.getAttribute('.result-view', 'data-state')).toBe('done');
    expect(await page.textContent('.answer')).toMatch(/^-?\d+$/);
    expect(await page.locator('.trace-list [data-type="sample"]').count()).toBe(8);
    expect(await page.locator('.trace-list [data-type="vote"]').count()).toBe(1);
    expect(await page.textContent('.usage')).toMatch(/tokens generated .* 8 samples · 1 engine call · \d+ ms/);
    expect(await page.locator('.badge-cached').count()).toBe(0);
    const first = await page.textContent('.answer');
    await expect.poll(() => stat('entries')).toBe('1');

    await ask();
    expect(await page.locator('.badge-cached').count()).toBe(1);
    expect(await page.textContent('.answer')).toBe(first);
    expect(await page.textContent('.usage')).toMatch(/Served from the cache/);
    // The cached result keeps its trace.
    expect(await page.locator('.trace-list [data-type="sample"]').count()).toBe(8);
    await expect.poll(() => stat('hits')).toBe('1');
    await screenshot(page, 'app-ask-cached');

    await page.click('#cache-clear');
    await expect.poll(() => stat('entries')).toBe('0');
  });

  it('builds specs from the strategy form, nested ones included, and reports invalid parameters', async () => {
    await page.selectOption('#ask-form .strategy-kind >> nth=0', 'cascade');
    expect(await page.locator('#ask-form .strategy-picker[data-depth="2"]').count()).toBe(1);
    // "Votes" appears only for the vote signal.
    expect(await page.isVisible('#ask-form [data-key="n"] >> nth=0')).toBe(false);
    await page.selectOption('#ask-form [data-key="signal"]', 'vote');
    expect(await page.isVisible('#ask-form [data-key="n"] >> nth=0')).toBe(true);
    await page.fill('#ask-form [data-key="threshold"]', '2');
    await page.fill('#prompt', '12+7');
    await page.press('#prompt', 'Enter');
    await page.waitForSelector('#ask-form .form-error:not([hidden])', { timeout: 5_000 });
    expect(await page.textContent('#ask-form .form-error')).toMatch(/strategy\.threshold/);
    await page.fill('#ask-form [data-key="threshold"]', '0.9');
    await ask('12+7');
    expect(await page.textContent('.result-view .badges')).toMatch(/cascade signal=vote threshold=0\.9 n=5 → self-consistency n=8/);
    await page.selectOption('#ask-form .strategy-kind >> nth=0', 'greedy');
  });

  it('shows model output that is HTML as text and runs none of it', async () => {
    await page.reload();
    await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
    await ask('12+7');
    await expect.poll(() => stat('entries')).not.toBe('0'); // stats() waits for the store write
    expect(await page.evaluate(poisonCache, [HOSTILE, HOSTILE_TEXT] as [string, string])).toBeGreaterThan(0);
    // A fresh page, a fresh worker: the answer now comes from IndexedDB, as it would after a restart.
    await page.reload();
    await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
    await ask('12+7');
    expect(await page.locator('.badge-cached').count()).toBe(1);
    await page.waitForTimeout(300); // time for an onerror to fire, were there an <img>
    expect(await page.textContent('.answer')).toBe(HOSTILE);
    expect(await page.textContent('.answer-text')).toBe(HOSTILE_TEXT);
    expect(await page.textContent('.trace-list')).toContain(HOSTILE_TEXT);
    expect(await page.textContent('.trace-list [data-type="vote"]')).toContain(HOSTILE);
    const dom = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? 0,
      imgs: document.querySelectorAll('#app img').length,
      scripts: document.querySelectorAll('#app script').length,
      bold: document.querySelectorAll('#app b').length,
    }));
    expect(dom).toEqual({ pwned: 0, imgs: 0, scripts: 0, bold: 0 });
    await screenshot(page, 'app-hostile-output');
    await page.click('#cache-clear');
    await expect.poll(() => stat('entries')).toBe('0');
  });

  it('evaluates strategies on the bundled set and draws accuracy against tokens; cancel stops a run', async () => {
    await page.click('#tab-evaluate');
    await page.fill('#eval-count', '12');
    await page.click('#eval-run');
    await page.waitForSelector('.eval-view[data-state="done"], .eval-view[data-state="error"]', { timeout: 120_000 });
    expect(await page.textContent('#eval-status')).toMatch(/Done: 3 strategies × 12 questions/);
    expect(await page.locator('#eval-results tbody tr').count()).toBe(3);
    expect(await page.textContent('#dataset-note')).toMatch(/3,000 questions in the set; running 12/);
    const inked = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#eval-chart')!;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return { painted, pixels: canvas.width * canvas.height };
    });
    expect(inked.pixels).toBeGreaterThan(10_000);
    expect(inked.painted).toBeGreaterThan(1_000);
    await screenshot(page, 'app-evaluate');

    await page.fill('#eval-count', '3000');
    await page.click('#eval-run');
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLProgressElement>('#eval-progress')!.value), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.click('#eval-cancel');
    await page.waitForSelector('.eval-view[data-state="cancelled"]', { timeout: 5_000 });
    expect(await page.textContent('#eval-status')).toBe('Cancelled.');
  });

  it('evaluates a JSONL file the user picks, skipping malformed lines', async () => {
    const jsonl = ['{"prompt":"12+7","answer":"19"}', 'not json', '{"prompt":"3-5","answer":-2}', '{"prompt":"2*3"}'].join('\n');
    await page.setInputFiles('#eval-file', { name: 'mine.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl) });
    expect(await page.isChecked('#source-file')).toBe(true);
    await page.click('#eval-run');
    await page.waitForSelector('.eval-view[data-state="done"], .eval-view[data-state="error"]', { timeout: 60_000 });
    expect(await page.textContent('#dataset-note')).toMatch(/2 questions in the set \(2 lines skipped\); running 2/);
    expect(await page.textContent('#eval-status')).toMatch(/Done: 3 strategies × 2 questions/);
    expect(errors).toEqual([]);
  });
});
