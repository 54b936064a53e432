import { cpSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * The embeddable widget: `second-thought.js`, one ES module that defines `<second-thought-chat>`, with the
 * files it loads on demand beside it (`assets/`: the worker, the engine chunks and ONNX Runtime's wasm;
 * `models/`: the bundled model). A page adds only the script tag.
 *
 * Not Vite's library mode: it inlines every asset as base64, which would put the 27 MB ORT wasm inside the
 * worker chunk. An app build with a JS entry keeps the wasm a file and resolves every URL against
 * `import.meta.url`, so the folder works from any host or sub-path.
 */
const root = import.meta.dirname;

function bundledModels(outDir: string): Plugin {
  return {
    name: 'second-thought:widget-models',
    apply: 'build',
    closeBundle() {
      const models = resolve(root, 'public/models');
      if (existsSync(models)) cpSync(models, resolve(outDir, 'models'), { recursive: true });
    },
  };
}

export default defineConfig(({ mode }) => {
  const outDir = resolve(root, mode === 'e2e' ? '.e2e-dist/widget' : 'dist/widget');
  return {
    base: './',
    publicDir: false,
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 8192,
      rollupOptions: {
        input: { 'second-thought': resolve(root, 'src/widget/second-thought.ts') },
        // Keep the entry's exports (a bare app build would drop them).
        preserveEntrySignatures: 'exports-only',
        output: { entryFileNames: '[name].js', format: 'es' },
      },
    },
    plugins: [bundledModels(outDir)],
  };
});
