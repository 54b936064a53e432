/**
 * `npm run build`: the static app (dist/app, PWA included), the library for bundlers and Node (dist/lib:
 * ES modules + type declarations, compiled file by file so a page's bundler sees the worker), and the
 * bundled model beside the library (dist/models), which Node reads by default.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync('dist', { recursive: true, force: true });
run('npx', ['vite', 'build', '--logLevel', 'warn']);
if (existsSync('vite.widget.config.ts')) run('npx', ['vite', 'build', '--config', 'vite.widget.config.ts', '--logLevel', 'warn']);
run('npx', ['tsc', '-p', 'tsconfig.build.json']);

// tsc keeps string literals as written: point the worker URL at the compiled file.
const browserEntry = 'dist/lib/src/browser.js';
const source = readFileSync(browserEntry, 'utf8');
const rewritten = source.replace('../workers/runtime.worker.ts', '../workers/runtime.worker.js');
if (rewritten === source) throw new Error(`worker URL not found in ${browserEntry}`);
writeFileSync(browserEntry, rewritten);

cpSync('public/models', 'dist/models', { recursive: true });
console.log('built dist/app, dist/lib, dist/models');
