/**
 * `npm test`'s import check: dependency-cruiser with the rules in `.dependency-cruiser.cjs` (no cycles,
 * the app and widget through the public face only, engines below the runtime).
 *
 * dependency-cruiser parses TypeScript with the `typescript` package's compiler API, which TypeScript 7
 * (the native compiler this project builds with) no longer ships; so its import of `typescript` is pointed
 * at `typescript-api`, TypeScript 5's API installed under another name. Only that import is redirected.
 */
import { register } from 'node:module';
import { spawnSync } from 'node:child_process';

if (!process.env.BOUNDARY_CHECK_CHILD) {
  const result = spawnSync(process.execPath, ['--import', new URL(import.meta.url).href, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BOUNDARY_CHECK_CHILD: '1' },
  });
  process.exit(result.status ?? 1);
}

if (process.env.BOUNDARY_CHECK_CHILD === '1') {
  process.env.BOUNDARY_CHECK_CHILD = '2';
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === 'typescript' && context.parentURL && context.parentURL.includes('/dependency-cruiser/')) return next('typescript-api', context);
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url);
  // dependency-cruiser also require()s `typescript/package.json` to check the version it found.
  const Module = (await import('node:module')).default;
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if ((request === 'typescript' || request.startsWith('typescript/')) && parent?.filename?.includes('/dependency-cruiser/')) {
      request = request.replace(/^typescript/, 'typescript-api');
    }
    return resolveFilename.call(this, request, parent, ...rest);
  };
  const { cruise } = await import('dependency-cruiser');
  const { default: extractTsConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  const { createRequire } = await import('node:module');
  const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs');
  const result = await cruise(['src', 'workers'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden }, outputType: 'err-long' }, undefined, {
    tsConfig: extractTsConfig('tsconfig.json'),
  });
  process.stdout.write(String(result.output));
  process.exit(result.exitCode);
}
