import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

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
  plugins: [
    // The offline app: the service worker precaches the shell, the engine (its ~27 MB ORT wasm included)
    // and the bundled model; a new version waits until the person chooses to reload (src/app/pwa.ts).
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // The glob below already lists the icons.
      includeManifestIcons: false,
      manifest: {
        name: 'Second Thought',
        short_name: 'Second Thought',
        description: 'An on-device small language model that thinks twice.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#f5f6f8',
        theme_color: '#2454d6',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,wasm,svg,png,webmanifest}', 'models/**/*.{json,onnx}', 'data/tiny-arith-heldout.jsonl', 'data/tiny-reasoner-heldout.jsonl'],
        // The e2e harness and the widget (built beside the app in e2e mode) are not part of the app.
        globIgnores: ['test/**', 'widget/**'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/\/test\//, /\/widget\//],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  server: { port: 5173 },
  preview: { port: 4173 },
}));
