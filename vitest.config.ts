import { defineConfig } from 'vitest/config';

/**
 * Three levels: unit (deterministic, scripted engines), integration (Node, the real tiny model), e2e
 * (real headless Chromium through Playwright). `npm test` runs all three; each can run alone with
 * `npx vitest run --project <name>`.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // One browser at a time: the machine has two cores and WebGPU is emulated on the CPU.
          maxWorkers: 1,
        },
      },
    ],
  },
});
