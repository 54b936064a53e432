import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveWithCsp, type CspServer } from './fixtures/csp-server.js';
import { recordFigure } from './fixtures/reliability-figures.js';
import { launchBrowser } from './support/browser.js';
import { E2E_DIST, serveBuild, type StaticServer } from './support/server.js';

/**
 * The widget on pages with a strict Content-Security-Policy, sent as a header on every response: no inline
 * script, no eval, workers only from the page's origin or blobs. ONNX Runtime compiles WebAssembly, which
 * CSP allows only with 'wasm-unsafe-eval' (not 'unsafe-eval': JavaScript eval stays forbidden), so that
 * one source is needed; without it the widget says it cannot load rather than stay on "Loading…".
 */

const STRICT = "script-src 'self' 'wasm-unsafe-eval'; worker-src blob: 'self'; object-src 'none'; base-uri 'none'";
const NO_WASM = "script-src 'self'; worker-src blob: 'self'; object-src 'none'; base-uri 'none'";

let browser: Browser;
let widgetHost: StaticServer;
const servers: CspServer[] = [];

beforeAll(async () => {
  if (!existsSync(join(E2E_DIST, 'widget', 'second-thought.js'))) throw new Error('No widget build: run `npx vite build --config vite.widget.config.ts --mode e2e` (npm test does it)');
  browser = await launchBrowser({ webgpu: false });
  widgetHost = await serveBuild();
});
afterAll(async () => {
  await browser?.close();
  await widgetHost?.close();
  await Promise.all(servers.map((s) => s.close()));
});

interface Watched {
  page: Page;
  /** CSP violations reported in the page, and "Refused to…" messages from the page or its workers. */
  violations: string[];
  errors: string[];
}

async function open(policy: string, widget: (origin: string) => string, path = '/csp/'): Promise<Watched> {
  const server = await serveWithCsp(policy, widget);
  servers.push(server);
  const page = await browser.newPage();
  const violations: string[] = [];
  const errors: string[] = [];
  const listen = (text: string, type: string) => {
    if (/Refused to|Content Security Policy/i.test(text)) violations.push(text.slice(0, 300));
    else if (type === 'error') errors.push(text.slice(0, 300));
  };
  page.on('console', (m) => listen(m.text(), m.type()));
  page.on('worker', (w) => w.on('console', (m) => listen(m.text(), m.type())));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => void (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.origin}${path}`);
  return { page, violations, errors };
}

const widgetState = (page: Page) => page.waitForFunction(() => ['idle', 'error'].includes(document.querySelector('second-thought-chat')?.dataset.state ?? ''), null, { timeout: 60_000 });

describe('the widget under a strict CSP', () => {
  it('self-hosted (script-src \'self\' \'wasm-unsafe-eval\'; worker-src blob: \'self\'): loads, answers, no violation', async () => {
    const { page, violations, errors } = await open(STRICT, () => '/widget/second-thought.js');
    await widgetState(page);
    const out = await page.evaluate(async () => {
      const element = document.querySelector('second-thought-chat')!;
      const result = await element.solve('12+7');
      return { state: element.dataset.state, answer: result.answer, shown: element.shadowRoot!.querySelector('.answer')!.textContent, info: await element.info() };
    });
    expect(out.answer).toMatch(/^-?\d+$/);
    expect(out.shown).toBe(out.answer);
    expect(out.info).toMatchObject({ worker: true, device: 'wasm' });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    recordFigure('embed:csp self-hosted', { policy: STRICT, answered: 1, violations: violations.length });
    await page.close();
  });

  it('embedded from another origin (that origin added to script-src and worker-src): loads and answers, no violation', async () => {
    const widgetOrigin = new URL(widgetHost.url).origin;
    // A module worker fetches its whole import graph as "worker" requests: the widget's worker, started
    // from a same-origin blob, imports its script from the widget's origin under worker-src, not script-src.
    const { page, violations, errors } = await open(`script-src 'self' ${widgetOrigin} 'wasm-unsafe-eval'; worker-src blob: 'self' ${widgetOrigin}; object-src 'none'`, () => `${widgetOrigin}/widget/second-thought.js`);
    await widgetState(page);
    const out = await page.evaluate(async () => {
      const element = document.querySelector('second-thought-chat')!;
      return (await element.solve('347+589')).answer;
    });
    expect(out).toMatch(/^-?\d+$/);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    recordFigure('embed:csp cross-origin', { policy: "script-src 'self' <widget origin> 'wasm-unsafe-eval'; worker-src blob: 'self' <widget origin>; object-src 'none'", answered: 1, violations: violations.length });
    await page.close();
  });

  it("without 'wasm-unsafe-eval': the widget says it cannot load (ONNX Runtime cannot compile), not \"Loading…\" for good", async () => {
    const started = Date.now();
    const { page, violations } = await open(NO_WASM, () => '/widget/second-thought.js');
    await widgetState(page);
    const status = await page.evaluate(() => {
      const element = document.querySelector('second-thought-chat')!;
      return { state: element.dataset.state, text: element.shadowRoot!.querySelector('.status')!.textContent };
    });
    expect(status.state).toBe('error');
    expect(status.text).toMatch(/Could not load tiny-arith/);
    // The policy, not the widget, refused it: WebAssembly compilation is what CSP blocked.
    expect(violations.join('\n')).toMatch(/wasm|WebAssembly|eval/i);
    recordFigure('embed:csp without wasm-unsafe-eval', { settledMs: Date.now() - started, state: status.state, status: status.text?.slice(0, 160) ?? '' });
    await page.close();
  });
});

describe('a page under the strict CSP with the library', () => {
  it('a verify callback that throws, or returns garbage, does not break the page: the request answers', async () => {
    const { page, violations, errors } = await open(STRICT, () => '', '/test/e2e/harness/harness.html');
    await page.waitForFunction(() => window.harnessReady === true);
    const out = await page.evaluate(async () => {
      const st = window.secondThought;
      const runtime = await st.createRuntime();
      const strategy = { kind: 'best-of-n' as const, n: 3, scorer: 'verifier' as const, verifier: { kind: 'callback' as const } };
      const ask = (verify: () => unknown) => runtime.solve({ prompt: '12+7', answer: { kind: 'number' }, strategy, verify: verify as () => boolean, sampling: { seed: 1 } });
      const threw = await ask(() => {
        throw new Error('the page’s verifier is broken');
      });
      const garbage = await ask(() => ({ not: 'a boolean' }));
      const verdicts = (r: typeof threw) => r.trace.flatMap((e) => (e.type === 'verify' ? [e.verdict] : []));
      await runtime.dispose();
      return { threw: { answer: threw.answer, verdicts: verdicts(threw) }, garbage: { answer: garbage.answer, verdicts: verdicts(garbage) } };
    });
    expect(out.threw.answer).toMatch(/^-?\d+$/);
    expect(out.threw.verdicts.every((v) => v === null)).toBe(true);
    expect(out.garbage.answer).toMatch(/^-?\d+$/);
    expect(out.garbage.verdicts.every((v) => v === null)).toBe(true);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
