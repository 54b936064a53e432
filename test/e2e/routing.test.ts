import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonl, spread } from '../../src/app/eval-data.js';
import { sameAnswer } from '../../src/app/eval-runner.js';
import { ROUTING_THRESHOLDS, routingStudy, type RoutedQuestion } from '../../src/confidence/routing-curve.js';
import type { FixtureServer } from '../helpers/openai-server.js';
import { screenshot, SCREENSHOTS } from './support/browser.js';
import { loadWithServer as load, openAppWithServer, refusingPort, type AppWithServer } from './support/server-model.js';

/**
 * The Evaluate tab's routing curve, as a person makes it: load tiny-arith on the device with a larger
 * model behind an OpenAI-compatible server (the test fixture serving the real tiny-arith through
 * transformers.js, made stronger by Best-of-8 with the arithmetic verifier, as in `npm run bench`), run
 * the routing on 20 bundled questions, and check that the chart and the table show the curve that the
 * per-question records give (recomputed here with the shared arithmetic, and its endpoints by hand).
 * The server asks for an API key; a wrong key and a port that refuses connections must say so.
 */

const KEY = 'sk-e2e-routing-key';
const WRONG_KEY = 'sk-e2e-wrong-key-000';
const QUESTIONS = 20;

let app: AppWithServer;
let api: FixtureServer;
let page: Page;
let errors: string[];

const loadWithServer = (baseUrl: string, apiKey: string) => load(page, baseUrl, apiKey);

beforeAll(async () => {
  app = await openAppWithServer(KEY);
  ({ api, page, errors } = app);
  await page.click('#tab-evaluate');
});
afterAll(() => app?.close());

describe('routing in the Evaluate tab', () => {
  it('without a server model, says how to add one instead of offering a dead control', async () => {
    expect(await page.getAttribute('#routing', 'data-server')).toBe('false');
    expect(await page.isVisible('#routing-empty')).toBe(true);
    expect(await page.textContent('#routing-empty')).toMatch(/open “Larger model on a server” in the Model card, give its base URL and model id/);
    expect(await page.isHidden('#routing-form')).toBe(true);
  });

  it('a server that refuses connections, and a wrong key, fail the load with a clear message and no key in sight', async () => {
    const refused = `http://127.0.0.1:${await refusingPort()}/v1`;
    const started = Date.now();
    await loadWithServer(refused, KEY);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await page.getAttribute('#model-status', 'data-state')).toBe('error');
    const notes = await page.textContent('#device-notes');
    expect(notes).toContain(`The server at ${refused} failed (no reply — is it running, and does it allow this page’s origin (CORS)?)`);
    expect(notes).not.toContain(KEY);

    await loadWithServer(api.url, WRONG_KEY);
    expect(await page.getAttribute('#model-status', 'data-state')).toBe('error');
    expect(await page.textContent('#device-notes')).toMatch(/The server at http:\/\/127\.0\.0\.1:\d+\/ failed \(HTTP 401 — check the API key\)/);
    // The fixture echoes a wrong key in its 401, as some proxies do: the page must not.
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(WRONG_KEY);
    expect(await page.getAttribute('#routing', 'data-server')).toBe('false');
  });

  it('plots accuracy against the share sent to the server, and the table and chart are the run’s curve', async () => {
    await loadWithServer(api.url, KEY);
    expect(await page.textContent('#model-status')).toBe('tiny-arith · wasm + tiny-arith on a server');
    expect(await page.textContent('#device-notes')).toMatch(/Model "big": tiny-arith with an OpenAI-compatible server, with log-probabilities/);
    expect(await page.isVisible('#routing-form')).toBe(true);
    expect(await page.locator('#routing-signal option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['confidence-token', 'logprob', 'self-verify', 'vote']);

    await page.fill('#eval-count', String(QUESTIONS));
    await page.selectOption('#routing-signal', 'confidence-token');
    await page.selectOption('#routing-form .strategy-kind', 'best-of-n');
    await page.selectOption('#routing-form [data-key="scorer"]', 'verifier');
    await page.selectOption('#routing-form [data-key="verifier"]', 'arithmetic');
    const before = api.requests.length;
    await page.click('#routing-run');
    await page.waitForSelector('#routing[data-state="done"], #routing[data-state="error"]', { timeout: 170_000 });
    expect(await page.textContent('#routing-status')).toBe(`Done: ${QUESTIONS} questions on both models.`);

    // Every question reached the server with the key (Best-of-8 in one request, vLLM honours n).
    const escalations = api.requests.slice(before).filter((r) => r.path.endsWith('completions') && r.body?.n === 8);
    expect(escalations.length).toBeGreaterThanOrEqual(QUESTIONS);
    expect(escalations.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);

    // The per-question records, as the page shows them; the questions are the bundled set spread as the form says.
    const rows = await page.locator('#routing-questions tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('td')];
        const answer = (i: number) => cells[i]!.firstChild?.textContent ?? '';
        const [small, large] = (cells[6]!.textContent ?? '').split(' + ').map(Number);
        return {
          prompt: cells[1]!.textContent,
          expected: cells[2]!.textContent,
          smallAnswer: answer(3),
          largeAnswer: answer(5),
          smallCorrect: cells[3]!.dataset.correct === 'true',
          largeCorrect: cells[5]!.dataset.correct === 'true',
          signal: cells[4]!.dataset.value === '' ? null : Number(cells[4]!.dataset.value),
          smallTokens: small!,
          largeTokens: large!,
          picks: (tr as HTMLElement).dataset.picks === 'true',
        };
      }),
    );
    const bundled = spread(parseJsonl(readFileSync(join(import.meta.dirname, '..', '..', 'public', 'data', 'tiny-arith-heldout.jsonl'), 'utf8')).items, QUESTIONS);
    expect(rows.map((r) => [r.prompt, r.expected])).toEqual(bundled.map((q) => [q.prompt, q.answer]));
    for (const r of rows) {
      expect(r.smallCorrect, r.prompt!).toBe(sameAnswer(r.smallAnswer, r.expected!));
      expect(r.largeCorrect, r.prompt!).toBe(sameAnswer(r.largeAnswer, r.expected!));
      expect(r.signal, r.prompt!).not.toBeNull(); // tiny-arith writes its confidence token on every answer
      expect(r.largeTokens).toBeGreaterThan(0);
    }
    expect(rows.map((r) => r.picks)).toEqual(rows.map((_, i) => i % 3 === 0));
    const pick: RoutedQuestion[] = rows.filter((r) => r.picks);
    const scored: RoutedQuestion[] = rows.filter((r) => !r.picks);
    const study = routingStudy(pick, scored);
    // Verified samples on the server beat one greedy answer on the device: a curve worth drawing.
    expect(study.alwaysLarge).toBeGreaterThan(study.smallOnly);

    // The chart: one point per threshold; its ends where the hand-computed accuracies say.
    const plotted = JSON.parse((await page.getAttribute('#routing-chart', 'data-plotted'))!) as {
      curve: Array<{ x: number; y: number }>;
      smallOnly: { x: number; y: number };
      alwaysLarge: { x: number; y: number };
      chosen: { x: number; y: number } | null;
    };
    expect(plotted.curve).toHaveLength(ROUTING_THRESHOLDS.length);
    const share = (f: (r: (typeof rows)[number]) => boolean) => (rows.filter((r) => !r.picks && f(r)).length / scored.length) * 100;
    expect(plotted.smallOnly.x).toBe(0);
    expect(plotted.smallOnly.y).toBeCloseTo(share((r) => r.smallCorrect), 9);
    expect(plotted.alwaysLarge.x).toBe(100);
    expect(plotted.alwaysLarge.y).toBeCloseTo(share((r) => r.largeCorrect), 9);
    // Threshold 0 accepts every small answer (all have a signal); threshold 1 escalates all but a signal of exactly 1.
    expect(plotted.curve[0]).toEqual({ x: 0, y: plotted.smallOnly.y });
    const certain = rows.filter((r) => !r.picks && r.signal === 1);
    expect(plotted.curve.at(-1)!.x).toBeCloseTo(100 - (certain.length / scored.length) * 100, 9);
    if (certain.length === 0) expect(plotted.curve.at(-1)!.y).toBeCloseTo(plotted.alwaysLarge.y, 9);
    plotted.curve.forEach((p, i) => {
      expect(p.x).toBeCloseTo(study.curve[i]!.largeCallShare * 100, 9);
      expect(p.y).toBeCloseTo(study.curve[i]!.accuracy * 100, 9);
    });
    expect(plotted.chosen).toEqual(study.atChosen ? { x: study.atChosen.largeCallShare * 100, y: study.atChosen.accuracy * 100 } : null);
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#routing-chart')!;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(2_000);

    // The table: small only, the tenths and the picked threshold, always large, each as the curve says.
    const table = await page.locator('#routing-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ threshold: (tr as HTMLElement).dataset.threshold, chosen: tr.classList.contains('chosen'), cells: [...tr.children].map((c) => c.textContent) })),
    );
    const pct = (v: number, digits: number) => `${(v * 100).toFixed(digits)}%`;
    const tenths = study.curve.filter((p, i) => i % 10 === 0 || p.threshold === study.chosenThreshold);
    expect(table.map((r) => r.threshold)).toEqual(['small-only', ...tenths.map((p) => String(p.threshold)), 'always-large']);
    expect(table[0]!.cells.slice(1, 3)).toEqual([pct(study.smallOnly, 1), '0%']);
    expect(table.at(-1)!.cells.slice(1, 3)).toEqual([pct(study.alwaysLarge, 1), '100%']);
    tenths.forEach((p, i) => expect(table[i + 1]!.cells.slice(1, 3)).toEqual([pct(p.accuracy, 1), pct(p.largeCallShare, 0)]));
    const chosen = table.filter((r) => r.chosen);
    expect(chosen.map((r) => Number(r.threshold))).toEqual(study.chosenThreshold === null ? [] : [study.chosenThreshold]);
    expect(await page.textContent('#routing-table caption')).toContain(`On ${scored.length} questions; the threshold was picked on the other ${pick.length}`);

    await page.click('.routing-questions summary');
    await screenshot(page, 'app-routing');
    await page.locator('#routing').screenshot({ path: join(SCREENSHOTS, 'app-routing-card.png') });

    // The key went to the server and nowhere else: not the page's text, not localStorage, not IndexedDB.
    const stored = await page.evaluate(async () => {
      const values: string[] = [JSON.stringify({ ...localStorage }), document.body.innerText];
      for (const info of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(info.name!);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        for (const name of db.objectStoreNames) {
          const all = await new Promise<unknown[]>((resolve) => {
            const request = db.transaction(name).objectStore(name).getAll();
            request.onsuccess = () => resolve(request.result);
          });
          values.push(JSON.stringify(all));
        }
        db.close();
      }
      return values.join('\n');
    });
    expect(stored).not.toContain(KEY);
  });

  it('cancel stops a routing run', async () => {
    await page.fill('#eval-count', '3000');
    await page.click('#routing-run');
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLProgressElement>('#routing-progress')!.value), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.click('#routing-cancel');
    await page.waitForSelector('#routing[data-state="cancelled"]', { timeout: 15_000 });
    expect(await page.textContent('#routing-status')).toBe('Cancelled.');
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
