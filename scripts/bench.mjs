/**
 * `npm run bench`: the runtime-core benchmark in Node and in Chromium, and every strategy on the tiny-arith
 * held-out set. Writes docs/benchmarks.md and docs/accuracy-vs-tokens.png. Figures are ratios or rates
 * measured in one run on this machine; rerun this command to reproduce them.
 */
import { spawnSync } from 'node:child_process';
import { findChromium } from './find-chromium.mjs';

const chromium = findChromium();
const build = spawnSync('npx', ['vite', 'build', '--mode', 'e2e', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync('npx', ['tsx', 'bench/report.ts'], { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: chromium } });
process.exit(result.status ?? 1);
