import { EngineError } from '../errors.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The bundled models folder in Node: `public/models` in the source tree, `dist/models` in the published
 * package (this file is then `dist/lib/src/models/node-base.js`; the build copies the models there).
 */
export function bundledModelsFolder(): string {
  const candidates = ['../../public/models/', '../../../models/'];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}tiny-arith/config.json`)) return path;
  }
  throw new EngineError(`Bundled models not found next to ${fileURLToPath(import.meta.url)}`);
}
