import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { preview, type PreviewServer } from 'vite';

export const E2E_DIST = join(import.meta.dirname, '..', '..', '..', '.e2e-dist');

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the e2e build (`vite build --mode e2e`, done by `npm test`) as any static host would. Port 0 picks
 * a free port, so test files never collide.
 */
export async function serveBuild(port = 0): Promise<StaticServer> {
  if (!existsSync(join(E2E_DIST, 'index.html'))) {
    throw new Error('No e2e build: run `npx vite build --mode e2e` (npm test does it)');
  }
  const server: PreviewServer = await preview({
    configFile: false,
    root: join(import.meta.dirname, '..', '..', '..'),
    logLevel: 'warn',
    build: { outDir: E2E_DIST },
    preview: { port, strictPort: port !== 0, host: '127.0.0.1' },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  };
}
