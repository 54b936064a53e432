/**
 * Import boundaries, checked by `npm test` (scripts/check-boundaries.mjs):
 * - no import cycles (type-only imports are erased at build time, so they cannot form one at run time);
 * - the app, the widget and src/ui use the package as a user would: its public face and src/ui only;
 * - engines know nothing of the runtime that drives them.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'ui-through-the-public-face',
      comment: 'src/app, src/widget and src/ui import only the public face (browser.ts, worker.ts) and src/ui.',
      severity: 'error',
      from: { path: '^src/(app|widget|ui)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/(browser|worker)\\.ts$', '^src/ui/', '^src/$1/'],
      },
    },
    {
      name: 'engines-below-the-runtime',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/(runtime|strategies|app|widget|ui)/' },
    },
    {
      name: 'library-not-on-the-app',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app|widget|ui)/' },
      to: { path: '^src/(app|widget|ui)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.css$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
