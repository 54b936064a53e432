/**
 * `npm test`: typecheck, unit, Node integration on the bundled model, the production build (`npm run
 * build`), the e2e build, then end-to-end tests in real headless Chromium. Stops at the first failure.
 * Extra arguments go to vitest (e.g. `npm test -- -t cache`).
 */
import { spawnSync } from 'node:child_process';
import { findChromium } from './find-chromium.mjs';

function run(command, args, env = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

let chromium;
try {
  chromium = findChromium();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
console.log(`Chromium: ${chromium}`);

const extra = process.argv.slice(2);
run('npx', ['tsc', '--noEmit', '-p', '.']);
run('node', ['scripts/check-boundaries.mjs']);
run('npx', ['vitest', 'run', '--project', 'unit', '--project', 'integration', ...extra]);
run('node', ['scripts/build.mjs']);
run('npx', ['vite', 'build', '--mode', 'e2e', '--logLevel', 'warn']);
run('npx', ['vite', 'build', '--config', 'vite.widget.config.ts', '--mode', 'e2e', '--logLevel', 'warn']);
run('npx', ['vitest', 'run', '--project', 'e2e', ...extra], { CHROMIUM_PATH: chromium });
