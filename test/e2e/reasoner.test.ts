import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReasonerReference } from '../helpers/reference.js';
import { launchBrowser, screenshot, watchErrors } from './support/browser.js';
import { serveBuild, type StaticServer } from './support/server.js';

/**
 * The bundled reasoning model in the browser: in its worker on WASM and on WebGPU (SwiftShader, a CPU
 * emulation, seconds per chain: a few prompts there), a DeepConf solve streaming its trace, and the app
 * showing its chains, its votes and its traces' confidence.
 */

const reference = loadReasonerReference();
let server: StaticServer;
beforeAll(async () => {
  server = await serveBuild();
});
afterAll(async () => {
  await server?.close();
});

async function harness(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}test/e2e/harness/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  return page;
}

/**
 * The app in a fresh browser, switched to tiny-reasoner on WASM: runs `use` on it, then expects the page to
 * have logged no errors.
 */
async function onAppWithReasoner(height: number, use: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height } });
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
    await page.selectOption('#model-select', 'tiny-reasoner');
    await page.click('#model-load');
    await page.waitForFunction(() => document.querySelector('#model-status')?.textContent === 'tiny-reasoner · wasm', undefined, { timeout: 60_000 });
    await use(page);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** Asks the question in the app's form and waits for its result. */
async function askAndWait(page: Page): Promise<void> {
  const before = Number(await page.getAttribute('.result-view', 'data-finished'));
  await page.press('#prompt', 'Enter');
  await page.waitForFunction((n) => Number(document.querySelector('.result-view')!.getAttribute('data-finished')) > n, before, { timeout: 120_000 });
}

function greedyChains(page: Page, device: 'wasm' | 'webgpu', conversations: typeof reference.fixedPrompts, dtype?: 'fp32' | 'q4') {
  return page.evaluate(
    async ({ device, conversations, dtype }) => {
      const model = dtype ? { id: 'tiny-reasoner', engine: 'transformers' as const, dtype } : 'tiny-reasoner';
      const runtime = await window.secondThought.createRuntime({ model, device });
      const texts: string[] = [];
      for (const c of conversations) texts.push((await runtime.solve({ messages: c.messages, answer: { kind: 'number' }, cache: 'bypass' })).text);
      const info = runtime.info();
      await runtime.dispose();
      return { texts, device: info.device, weights: info.weights };
    },
    { device, conversations, dtype },
  );
}

describe('tiny-reasoner in the browser', () => {
  it('gives the card’s 20 greedy chains in its worker on WASM, and streams a DeepConf solve', async () => {
    const browser = await launchBrowser({ webgpu: false });
    try {
      const page = await harness(browser);
      const errors = watchErrors(page);
      const { texts, device } = await greedyChains(page, 'wasm', reference.fixedPrompts);
      expect(device).toBe('wasm');
      expect(texts).toEqual(reference.fixedPrompts.map((p) => p.completion));
      const streamed = await page.evaluate(async () => {
        const runtime = await window.secondThought.createRuntime({ model: 'tiny-reasoner', device: 'wasm' });
        const types: string[] = [];
        let answer: string | null = null;
        for await (const event of runtime.stream({
          prompt: 'What is 47*83+129?',
          answer: { kind: 'number' },
          strategy: { kind: 'deepconf', warmup: 4, maxTraces: 12, batch: 4, keepPercent: 50 },
          sampling: { seed: 2 },
          cache: 'bypass',
        })) {
          types.push(event.type);
          if (event.type === 'result') answer = event.result.answer;
        }
        await runtime.dispose();
        return { types, answer };
      });
      expect(streamed.types.filter((t) => t === 'trace-score').length).toBeGreaterThanOrEqual(4);
      expect(streamed.types).toContain('token');
      expect(streamed.types).toContain('vote');
      expect(streamed.types.at(-1)).toBe('result');
      expect(streamed.answer).toMatch(/^-?\d+$/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('gives the same greedy chains on WebGPU', async () => {
    const browser = await launchBrowser({ webgpu: true });
    try {
      const page = await harness(browser);
      const few = reference.fixedPrompts.slice(0, 2);
      const { texts, device } = await greedyChains(page, 'webgpu', few);
      expect(device).toBe('webgpu');
      expect(texts).toEqual(few.map((p) => p.completion));
    } finally {
      await browser.close();
    }
  });

  it('runs its 4-bit build (MatMulNBits, dtype q4) in the worker on WASM and WebGPU, giving the card’s q4 chains', async () => {
    for (const webgpu of [false, true]) {
      const browser = await launchBrowser({ webgpu });
      try {
        const page = await harness(browser);
        const errors = watchErrors(page);
        // SwiftShader compiles the MatMulNBits shaders and takes seconds per chain: one prompt there, all 20 on WASM.
        const prompts = webgpu ? reference.fixedPrompts.slice(0, 1) : reference.fixedPrompts;
        const { texts, device, weights } = await greedyChains(page, webgpu ? 'webgpu' : 'wasm', prompts, 'q4');
        expect(device).toBe(webgpu ? 'webgpu' : 'wasm');
        expect(weights).toBe('q4');
        expect(texts).toEqual(prompts.map((p) => p.q4Completion));
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }
  });

  it('the app offers it, and its trace shows the chains folded, the votes by answer and a confidence chart', () =>
    onAppWithReasoner(1400, async (page) => {
      // Its own examples: word problems and two-step expressions.
      expect(await page.textContent('.examples')).toContain('What is 47*83+129?');
      await page.click('.examples .chip >> nth=0');
      await page.selectOption('#ask-form .strategy-kind >> nth=0', 'deepconf');
      await page.fill('#ask-form [data-key="maxTraces"]', '12');
      await page.fill('#ask-form [data-key="warmup"]', '4');
      await askAndWait(page);
      const chains = page.locator('.trace-list details.chain');
      expect(await chains.count()).toBeGreaterThanOrEqual(4);
      expect(await chains.first().locator('summary').textContent()).toMatch(/\d+ steps/);
      expect(await chains.first().evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      await chains.first().locator('summary').click();
      expect(await chains.first().locator('pre').textContent()).toMatch(/Answer: -?\d+/);
      expect(await page.locator('.trace-list [data-type="vote"] .vote-bars li').count()).toBeGreaterThanOrEqual(1);
      const chart = page.locator('.trace-list [data-type="trace-scores"] canvas');
      expect(await chart.count()).toBe(1);
      const box = await chart.boundingBox();
      expect(box!.height).toBeGreaterThan(80);
      // The warm-up threshold is drawn even when the vote stops right after the warm-up.
      expect(await page.locator('.trace-list [data-type="trace-scores"] .confidence-chart').getAttribute('data-threshold')).toMatch(/^\d+\.\d{3}$/);
      await screenshot(page, 'app-reasoner-deepconf');
    }));

  it('the app runs "Wait" on it: the trace shows the second thought, both verdicts, and the trust rule keeping the right draft', () =>
    onAppWithReasoner(1300, async (page) => {
      // Its greedy chain gets 615-327-239 right; after "Wait," it re-solves to another answer and accepts that too.
      await page.fill('#prompt', 'What is 615-327-239?');
      await page.selectOption('#ask-form .strategy-kind >> nth=0', 'wait');
      await askAndWait(page);
      expect(await page.textContent('.result-view .answer')).toBe('49');
      const revise = page.locator('.trace-list [data-type="revise"]');
      expect(await revise.count()).toBe(1);
      const [, revised] = (await revise.textContent())!.match(/49 → (-?\d+)/)!;
      expect(revised).not.toBe('49');
      const verifies = await page.locator('.trace-list [data-type="verify"]').allTextContents();
      expect(verifies).toHaveLength(2);
      expect(verifies.join('\n')).toMatch(/49 judged correct by self-verify/);
      const decision = await page.textContent('.trace-list [data-type="decision"]');
      expect(decision).toMatch(/keep draft 49: self-verify: revision accepted, current accepted; both accepted, no evidence the revision is better/);
      await screenshot(page, 'app-reasoner-wait');
    }));

  it('the app averages several verification replies when asked, and its trace says so', () =>
    onAppWithReasoner(1100, async (page) => {
      await page.fill('#prompt', 'What is 382*47+615?');
      await page.selectOption('#ask-form .strategy-kind >> nth=0', 'best-of-n');
      await page.fill('#ask-form [data-key="n"]', '3');
      await page.selectOption('#ask-form [data-key="scorer"]', 'self-verify');
      // The field belongs to self-verification: it appears with that scorer.
      await page.fill('#ask-form [data-key="verifications"]', '3');
      await askAndWait(page);
      const verifies = page.locator('.trace-list [data-type="verify"]');
      expect(await verifies.count()).toBeGreaterThanOrEqual(1);
      expect(await verifies.first().textContent()).toMatch(/judged (correct|wrong) by self-verify · score [01]\.\d\d \(mean of 3 verifications\)/);
      await screenshot(page, 'app-reasoner-verifications');
    }));
});
