import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The static app (index.html). `--mode e2e` also builds the end-to-end harness page the browser tests
 * drive. `base: './'` makes the output work from any static host and sub-path.
 */
export default defineConfig(({ mode }) => ({
  base: './',
  worker: { format: 'es' },
  build: {
    outDir: mode === 'e2e' ? '.e2e-dist' : 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        ...(mode === 'e2e' ? { harness: resolve(import.meta.dirname, 'test/e2e/harness/harness.html') } : {}),
      },
    },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
}));
