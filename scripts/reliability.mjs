/**
 * `npm run reliability`: runs every reliability test (fuzzing, worker death, device loss, storage faults,
 * load, embedding) and writes docs/reliability.md from the figures they recorded. A test records a figure
 * only after asserting the behaviour it measures, and the doc is written only when every test passed, so
 * each figure comes from a test that fails when the behaviour breaks.
 *
 *   npm run reliability                      # the bounded fuzz counts of `npm test` (FUZZ_RUNS=250 per property)
 *   FUZZ_RUNS=100000 npm run reliability     # a long fuzz run
 *   node scripts/reliability.mjs --no-build  # reuse the e2e build (.e2e-dist)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './find-chromium.mjs';

const ROOT = join(import.meta.dirname, '..');
/** What the figures mean and how each behaviour works; written here so the doc is one command's output. */
const PROSE = `## What each row means

**Fuzzing** (fast-check, fixed seed): valid requests, strategy specs (nested cascades and \`model\` fields
included), runtime options (model descriptions \`{ id, engine, server: { baseUrl } }\` included) and messages,
each broken in one random place — NaN, ±Infinity, huge and negative numbers, strings where numbers belong,
BigInt, functions, symbols, cycles, \`__proto__\`/\`constructor\` keys, megabyte strings and keys, objects that
only look like an AbortSignal, patterns and flags the RegExp constructor refuses — plus arbitrary values in
their place, and named extremes (a 1 MB prompt, 10,000 messages, a 10,000-deep cascade, 100,000-deep junk,
every regex field with every refused value). Each request goes through \`solve()\` on a runtime of two scripted
models with a result cache. The property: answered, or refused with our typed error (an InvalidRequestError
whose \`path\` leads into the input), within 5 s, with no unhandled rejection, and a message that quotes at most
an excerpt. Verify callbacks are fuzzed separately: throwing anything (an unprintable object, an Error whose
\`message\` getter throws, a megabyte message), returning or resolving anything, never answering, answering
after the deadline. Their documented behaviour: a throw or a non-boolean is "cannot judge" (verdict null) and
the request answers; a callback past \`budget.deadlineMs\` ends the request with its best answer
(\`budgetExhausted\`); with no deadline the caller's abort ends it.

Found and fixed by it: unknown kinds, keys, model ids and JSON Schema errors echoed the whole value (a
megabyte); a BigInt \`kind\` was a TypeError from JSON.stringify; an object that only looked like an AbortSignal
passed validation, then \`solve()\` never settled and a rejection went unhandled (Node ends the process on
that); a function inside a JSON Schema passed validation and would have been a DataCloneError at the worker
(request data must now be plain JSON); duplicate regex flags were reported at \`pattern\`; a getter that throws
escaped as a plain Error; a callback throwing an object with no \`toString\` escaped as a TypeError; an id with an
engine skipped the description's limits. Also refused now: patterns that repeat, without bound, a group that
itself repeats without bound (\`(a+)+\`, \`(\\d+,)*\`) — JavaScript cannot stop a running match, and such a pattern
can hold the worker for minutes on a model's answer.

**Load**: 200 \`solve()\` calls at once on the bundled model (greedy, SC@4, Best-of-3 with the arithmetic
verifier, a confidence-token cascade, adaptive consistency; every tenth a long sampled call), 50 of them one
identical request, and a seeded set aborted by their callers (after a delay, or at their n-th streamed token).
Identical requests in flight share one computation, and an abort of some of them leaves it running for the
rest. Every answer is compared with what the same request answers alone. Memory is the JS heap after full
collections, before and after the run (Node: \`process.memoryUsage().heapUsed\`; Chromium: the worker's
\`Runtime.getHeapUsage\` through a browser CDP session), with the result cache cleared — it keeps up to
\`maxEntries\` results by design, and the figure with them still in it is given too.

Found and fixed by it: on WASM a session run settles without the worker's event loop turning, so a whole
\`generate()\` was one task — an abort from the page could not reach it until it was over, and no token
streamed before the end. Each run now yields one task (a MessageChannel round trip, no timer clamp).

**Worker death**: pending calls settle with WorkerCrashedError on the worker's \`error\`/\`messageerror\` events, on
the host's "closing" notice (\`self.close()\`), and — for a worker killed with no event at all — through a Web
Lock the worker holds for life, which the browser grants to the page the moment the worker is gone. The next
call starts a fresh worker and loads the model again (with progress events); a restart that fails makes every
later call fail at once with that same error. Not detected: a worker that is alive but stuck in a loop (it
cannot be told from a slow forward pass); \`budget.deadlineMs\` and the caller's abort bound those requests.

**Device loss**: ONNX Runtime Web keeps its one GPUDevice at \`env.backends.onnx.webgpu.device\`; the
transformers.js adapter watches its \`lost\` promise and turns a failed call into DeviceLostError when the device
is gone (it waits up to 300 ms: the read-back on a destroyed device fails before \`lost\` resolves). The runtime
then disposes the engine, loads the model again on WASM (once, however many requests saw the loss), runs each
such request once more with an \`error\` trace event saying why, and \`info().fallback\` and \`info().device\` say
what changed. The e2e test destroys the real device with \`GPUDevice.destroy()\` on SwiftShader mid-generation.
A WebLLM model cannot run on WASM: its DeviceLostError reaches the caller. Found and fixed on the way:
transformers.js chains every session run in one promise, so one rejected run made every later run of every
model in the worker fail with the same error, for good; our sessions no longer reject into that chain.

**Storage faults**: quota exceeded, a database that cannot open (private mode), reads that fail once, store
calls that never settle, and stored entries that do not parse, have the wrong field types, miss their result
or come from another cache version — through \`solve()\`, which answers right every time; bad entries are never
served, are deleted and counted. The counters are \`CacheStats.faults\` (src/types.ts): \`reads\`, \`writes\` (of them
\`quotaExceeded\`), \`opens\`, \`invalidEntries\`, \`versionMismatches\`.

**Embedding**: the widget on pages whose every response carries a Content-Security-Policy header. ONNX
Runtime compiles WebAssembly, which CSP allows only with \`'wasm-unsafe-eval'\` (JavaScript eval stays
forbidden: \`'unsafe-eval'\` is not needed). Self-hosted: \`script-src 'self' 'wasm-unsafe-eval'; worker-src blob:
'self'\`. From another origin W: add W to \`script-src\` **and** \`worker-src\` (a module worker fetches its imports
as worker requests). zod runs jitless, so no \`new Function\` probe is reported as a violation. The widget
styles its shadow root with a \`<style>\` element: a policy with \`style-src\` must allow it. No view of the app,
the widget or the shared UI (nor the library) has an HTML or code sink (innerHTML, insertAdjacentHTML,
outerHTML, document.write, srcdoc, DOMParser, eval, new Function, string handlers): checked over every file by
\`test/unit/reliability-dom.test.ts\`, and HTML "answers" are shown as text by the app and widget e2e tests.
`;
const DOC = join(ROOT, 'docs', 'reliability.md');
const work = mkdtempSync(join(tmpdir(), 'st-reliability-'));
const figuresFile = join(work, 'figures.jsonl');
const reportFile = join(work, 'report.json');

const UNIT = ['test/unit/fuzz-request.test.ts', 'test/unit/fuzz-options.test.ts', 'test/unit/fuzz-verify.test.ts', 'test/unit/reliability-device.test.ts', 'test/unit/reliability-storage.test.ts', 'test/unit/reliability-dom.test.ts'];
const CACHE = ['test/unit/cache-faults.test.ts', 'test/unit/cache-idb.test.ts', 'test/unit/cache-fuzz.test.ts'];
const INTEGRATION = ['test/integration/load.test.ts'];
const E2E = ['test/e2e/reliability-worker.test.ts', 'test/e2e/reliability-device.test.ts', 'test/e2e/reliability-load.test.ts', 'test/e2e/reliability-embed.test.ts'];

function run(command, args, env = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

const chromium = findChromium();
if (!process.argv.includes('--no-build')) {
  for (const args of [['vite', 'build', '--mode', 'e2e', '--logLevel', 'warn'], ['vite', 'build', '--config', 'vite.widget.config.ts', '--mode', 'e2e', '--logLevel', 'warn']]) {
    if (run('npx', args) !== 0) process.exit(1);
  }
}
const status = run(
  'npx',
  ['vitest', 'run', '--project', 'unit', '--project', 'integration', '--project', 'e2e', ...UNIT, ...CACHE, ...INTEGRATION, ...E2E, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`],
  { CHROMIUM_PATH: chromium, RELIABILITY_FIGURES: figuresFile },
);
if (status !== 0 || !existsSync(reportFile)) {
  console.error('\nA reliability test failed: docs/reliability.md was not rewritten.');
  process.exit(1);
}

const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const figures = Object.fromEntries(
  (existsSync(figuresFile) ? readFileSync(figuresFile, 'utf8').trim().split('\n') : []).filter(Boolean).map((line) => {
    const { name, value } = JSON.parse(line);
    return [name, value];
  }),
);
const need = (name) => {
  if (!(name in figures)) throw new Error(`No figure "${name}": its test did not record it`);
  return figures[name];
};
const testsIn = (files) =>
  report.testResults.filter((r) => files.some((f) => r.name.endsWith(f))).flatMap((r) => r.assertionResults.filter((a) => a.status === 'passed'));

const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);
const outcomes = (counts) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
    .join(', ');

const fuzz = ['fuzz:requests', 'fuzz:strategy specs', 'fuzz:runtime options', 'fuzz:verify callbacks'].map((name) => [name.slice(5), need(name)]);
const fuzzTotal = fuzz.reduce((a, [, c]) => a + sum(c), 0);
const escaped = fuzz.reduce((a, [, c]) => a + sum(Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('ESCAPED')))), 0);

const deaths = Object.entries(figures).filter(([k]) => k.startsWith('worker-death:'));
const losses = Object.entries(figures).filter(([k]) => k.startsWith('device-loss:'));
const storage = need('storage:runtime');
const storageFaults = Object.values(storage).reduce((a, s) => a + s.faults.reads + s.faults.writes + s.faults.opens + s.faults.invalidEntries + s.faults.versionMismatches, 0);
const cacheTests = testsIn(CACHE).length;
const node = need('load:node');
const chrome = need('load:chromium');
const midCall = need('load:chromium abort mid-call');
const noWasm = need('embed:csp without wasm-unsafe-eval');
const runs = Number(process.env.FUZZ_RUNS ?? 250);

const loadRow = (where, f, heap) =>
  `| Concurrent solves held (${where}) | **${f.solves} concurrent, all settled**: ${f.answered} answered exactly as alone, ${f.aborted} aborted by their callers (AbortError); the ${f.identical} identical ones = **${f.identicalEngineCalls} engine call**; ${f.abortedMidCall} engine calls aborted mid-generation stopped after ≤ ${f.maxTokensAfterAbort} token (≤ ${f.maxSettleAfterAbortMs} ms); ${f.engineCalls} engine calls in ${f.wallMs} ms | ${heap} |`;

const lines = [
  '# Reliability',
  '',
  'What the runtime survives, counted by its own tests. Regenerate with **`npm run reliability`** (`node scripts/reliability.mjs`:',
  'it builds the e2e app and widget, runs the tests below with a JSON reporter and rewrites this file only if every one passed;',
  `\`FUZZ_RUNS=100000 npm run reliability\` for a long fuzz run). Every figure is recorded by a test after it has asserted the`,
  'behaviour the figure describes, so a figure cannot appear here unless that test passed. `npm test` runs the same tests with',
  `the same fixed fuzz seed and ${runs} runs per property.`,
  '',
  `Generated ${new Date().toISOString().slice(0, 10)}, ${report.numPassedTests} tests passed (of ${report.numTotalTests}), fuzz seed 20261201, ${runs} runs per property.`,
  '',
  '| What | Figure | Tests |',
  '|---|---|---|',
  `| Fuzzed inputs tried | **${fuzzTotal.toLocaleString('en')}**, ${escaped} escaped as anything but our typed errors, none left pending, no unhandled rejection, no message quoting more than an excerpt | \`test/unit/fuzz-*.test.ts\` |`,
  ...fuzz.map(([name, counts]) => `| — ${name} | ${sum(counts).toLocaleString('en')}: ${outcomes(counts)} | |`),
  loadRow('Node', node, '`test/integration/load.test.ts`'),
  loadRow('Chromium worker', chrome, '`test/e2e/reliability-load.test.ts`'),
  `| — abort from the page, mid-call (WASM) | the engine stopped ${midCall.tokensAfterAbort} token after the abort reached it, ${midCall.settleAfterAbortMs} ms later | \`test/e2e/reliability-load.test.ts\` |`,
  `| Worker deaths survived | **${deaths.length} kinds**, every pending call settled with WorkerCrashedError: ${deaths.map(([k, v]) => `${k.slice(13)} — ${v.calls} call${v.calls > 1 ? 's' : ''} in ≤ ${v.maxSettleMs ?? v.restartMs} ms${v.maxFailFastMs !== undefined ? `, later calls failed fast in ≤ ${v.maxFailFastMs} ms` : ''}`).join('; ')} | \`test/e2e/reliability-worker.test.ts\` |`,
  `| Device losses survived | ${losses.map(([k, v]) => `${k.slice(12)}: ${v.losses} loss, ${v.requests} pending requests answered${v.recoveredMs !== undefined ? ` (reload on WASM and rerun in ${v.recoveredMs} ms)` : ''}`).join('; ')} | \`test/e2e/reliability-device.test.ts\`, \`test/unit/reliability-device.test.ts\` |`,
  `| Storage faults survived | **${Object.keys(storage).length} kinds through solve()**, ${Object.values(storage).reduce((a, s) => a + s.solves, 0)} solves all answered right, ${storageFaults} faults counted in \`cache.stats().faults\` (${Object.keys(storage).join('; ')}); plus ${cacheTests} fault tests of the cache itself | \`test/unit/reliability-storage.test.ts\`, \`test/unit/cache-{faults,idb,fuzz}.test.ts\` |`,
  `| Memory before → after load | Node heap (after \`gc()\`): **${node.heapBeforeMB} → ${node.heapAfterMB} MB**; Chromium worker JS heap (CDP, after collection): **${chrome.heapBeforeMB} → ${chrome.heapAfterMB} MB** (${chrome.heapAfterWithCacheMB} MB with the result cache still holding its entries) | both load tests |`,
  `| Embedding under a strict CSP | widget self-hosted and cross-origin: loads and answers with 0 violations; without \`'wasm-unsafe-eval'\` it shows "${noWasm.status.split(':')[0]}…" in ${noWasm.settledMs} ms | \`test/e2e/reliability-embed.test.ts\` |`,
  '',
];
writeFileSync(DOC, `${lines.join('\n')}\n${PROSE}`);
console.log(`\nWrote ${DOC}`);
