import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureServer } from '../helpers/openai-server.js';
import { screenshot, SCREENSHOTS } from './support/browser.js';
import { loadWithServer, openAppWithServer, type AppWithServer } from './support/server-model.js';

/**
 * The Ask tab on two models, as a person uses it: tiny-arith on the device and the fixture server (serving
 * the real tiny-arith) as "big". Every step of the strategy form names its model; a cascade that always
 * escalates (threshold 1) sends its `then` to the server, and the page says why it went there and what each
 * model cost. With the server stopped, the same question keeps the device's answer and says the server failed.
 */

const KEY = 'sk-e2e-ask-routing-key';
const QUESTION = '347+589';

let app: AppWithServer;
let api: FixtureServer;
let page: Page;

const top = '#ask-form .strategy-picker[data-depth="1"]';
const nested = '#ask-form .strategy-picker[data-depth="2"]';
const param = (picker: string, key: string) => `${picker} > .strategy-params > .field > [data-key="${key}"]`;
const optionLabels = (select: string) => page.locator(`${select} option`).evaluateAll((os) => os.map((o) => o.textContent));
const lineOf = (type: string) => page.textContent(`.trace-item[data-type="${type}"] .trace-line`);

async function ask(finished: number): Promise<void> {
  await page.click('#ask-button');
  await page.waitForSelector(`.result-view[data-finished="${finished}"]`, { timeout: 90_000 });
}

/** The number before `label` in a usage line: "12 tokens generated" → 12. */
function count(text: string | null, label: RegExp): number {
  const match = new RegExp(`(\\d+) ${label.source}`).exec(text ?? '');
  if (!match) throw new Error(`no ${label.source} in "${text}"`);
  return Number(match[1]);
}

beforeAll(async () => {
  app = await openAppWithServer(KEY);
  ({ api, page } = app);
});
afterAll(() => app?.close());

describe('asking on the device and a server model', () => {
  it('with one model, no step offers a Model select', async () => {
    expect(await page.locator('#ask-form [data-key="model"]').count()).toBe(0);
  });

  it('every step names its model, and a nested one shows the model it inherits', async () => {
    await loadWithServer(page, api.url, KEY);
    expect(await page.getAttribute('#model-status', 'data-state')).toBe('ready');
    expect(await optionLabels(param(top, 'model'))).toEqual(['local — tiny-arith on this device (default)', 'big — tiny-arith on a server']);

    await page.selectOption(`${top} > .field > .strategy-kind`, 'cascade');
    expect(await page.inputValue(`${nested} > .field > .strategy-kind`)).toBe('self-consistency');
    expect(await optionLabels(param(nested, 'model'))).toEqual(['local — tiny-arith on this device (as the step above)', 'big — tiny-arith on a server']);
    // The cascade's `then` runs where the cascade does unless it names another model.
    await page.selectOption(param(top, 'model'), 'big');
    expect(await optionLabels(param(nested, 'model'))).toEqual(['big — tiny-arith on a server (as the step above)', 'local — tiny-arith on this device']);
    await page.selectOption(param(top, 'model'), '');

    await page.fill(param(top, 'threshold'), '1');
    await page.fill(param(nested, 'n'), '4');
    await page.selectOption(param(nested, 'model'), 'big');
    await page.click('#ask-form .options summary');
  });

  it('escalates to the server, says why, and shows the tokens of each model', async () => {
    await page.fill('#prompt', QUESTION);
    const before = api.requests.length;
    await ask(1);
    expect(await page.getAttribute('.result-view', 'data-state')).toBe('done');
    expect(await page.textContent('.result-view .answer')).toBe('936');
    expect(await page.textContent('.result-view .badges')).toContain('cascade signal=confidence-token threshold=1 → self-consistency n=4 on big');

    // The four samples went to the server in one request, with the key.
    const sent = api.requests.slice(before).filter((r) => r.path.endsWith('completions'));
    expect(sent.map((r) => r.body?.n)).toEqual([4]);
    expect(sent[0]!.headers.authorization).toBe(`Bearer ${KEY}`);

    // The route line reads the cascade's signal: the same value the confidence line shows, below 1.
    const route = await lineOf('route');
    const shown = /^escalated from local to big because confidence (0\.\d\d) < 1$/.exec(route ?? '');
    expect(shown, route!).not.toBeNull();
    // The draft's own confidence comes first; the cascade's reading is the one against the threshold.
    const readings = await page.locator('.trace-item[data-type="confidence"] .trace-line').allTextContents();
    const percent = readings.map((r) => /^confidence-token (\d+)% \(threshold 100%\)$/.exec(r)).find(Boolean);
    expect(percent, readings.join('\n')).toBeTruthy();
    expect(Math.abs(Number(shown![1]) - Number(percent![1]) / 100)).toBeLessThanOrEqual(0.01);
    // Why: where it went and how the server answered, not the cascade's reason for leaving.
    expect(await page.textContent('.result-view .why')).toMatch(new RegExp(`^Why: ${route!.replace(/\./g, '\\.')}; majority of the samples \\(\\d+% agree\\)$`));

    // Tokens per model: both models generated, and together they are the total.
    const byModel = await page.locator('.usage-by-model li').evaluateAll((lis) => lis.map((li) => ({ model: (li as HTMLElement).dataset.model, text: li.textContent })));
    expect(byModel.map((m) => m.model)).toEqual(['local', 'big']);
    const generated = byModel.map((m) => count(m.text, /tokens? generated/));
    expect(generated.every((n) => n > 0)).toBe(true);
    expect(generated[0]! + generated[1]!).toBe(count(await page.textContent('.result-view .usage'), /tokens? generated/));
    expect(count(byModel[1]!.text, /engine calls?/)).toBe(1);
    expect(await page.isHidden('.escalation-note')).toBe(true);

    await screenshot(page, 'app-ask-routing');
    await page.locator('.result-card').screenshot({ path: join(SCREENSHOTS, 'app-ask-routing-result.png') });
  });

  it('with the server stopped, keeps the device’s answer and says the server failed and why', async () => {
    await api.close();
    // Past the cache, where the answer above is stored; a failed escalation is never stored.
    await page.selectOption('#cache-mode', 'bypass');
    await ask(2);
    expect(await page.getAttribute('.result-view', 'data-state')).toBe('done');
    const draft = /^→ (\S+) \(\d+ tokens\)$/.exec((await lineOf('draft')) ?? '');
    expect(draft).not.toBeNull();
    expect(await page.textContent('.result-view .answer')).toBe(draft![1]);
    expect(await page.textContent('.result-view .badges')).toContain('escalation failed');

    const note = await page.textContent('.escalation-note');
    expect(await page.isVisible('.escalation-note')).toBe(true);
    expect(note).toMatch(
      /^The escalation to big \(tiny-arith on a server\) failed \(no reply\): POST \/v1\/\S+ failed: .+\. This is the answer of local \(tiny-arith on this device\), which it had before escalating\.$/,
    );
    expect(note).not.toContain(KEY);
    expect(await lineOf('error')).toBe('big: RemoteEngineError');
    expect(await lineOf('route')).toMatch(/^escalated from local to big because confidence 0\.\d\d < 1$/);
    expect(await page.textContent('.result-view .why')).toMatch(/^Why: escalated from local to big because confidence 0\.\d\d < 1; the escalation to "big" failed; keep the answer of "local"$/);

    await screenshot(page, 'app-ask-escalation-failed');
    await page.locator('.result-card').screenshot({ path: join(SCREENSHOTS, 'app-ask-escalation-failed-result.png') });
    expect(app.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
