import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** After `npm run build` (npm test runs it first), the package works by its name, as a user imports it. */
describe('the built package', () => {
  it('has its exports map targets and declarations', () => {
    for (const file of ['dist/lib/src/index.js', 'dist/lib/src/index.d.ts', 'dist/lib/src/browser.js', 'dist/lib/workers/runtime.worker.js', 'dist/models/tiny-arith/onnx/model.onnx', 'dist/app/index.html']) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
  });

  it("`import { createRuntime } from 'second-thought'` solves in Node, in-process", () => {
    const script = `
      import { createRuntime, InvalidRequestError } from 'second-thought';
      const runtime = await createRuntime();
      const result = await runtime.solve({ prompt: '12+30', answer: { kind: 'number' } });
      let invalid = null;
      try { await runtime.solve({ prompt: 'x', strategy: { kind: 'nope' } }); } catch (e) { invalid = e instanceof InvalidRequestError; }
      console.log(JSON.stringify({ info: runtime.info(), answer: result.answer, invalid }));
      await runtime.dispose();
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    const parsed = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(parsed.info).toMatchObject({ model: 'tiny-arith', device: 'cpu', worker: false });
    expect(parsed.answer).toMatch(/^-?\d+$/);
    expect(parsed.invalid).toBe(true);
  });
});
