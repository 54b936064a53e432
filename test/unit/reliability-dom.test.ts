import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Model output never reaches an HTML parser: in every view of the app, the widget and the shared UI code
 * (and the library beneath them) there is no sink that parses a string as HTML or runs it as code. The
 * e2e tests show HTML "answers" as text in the app and the widget (test/e2e/app.test.ts, widget.test.ts);
 * this check covers every file, including views those tests do not open, and every view added later.
 */

const ROOT = join(import.meta.dirname, '..', '..');

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Sinks that parse markup or run strings as code. */
const SINKS: Array<[string, RegExp]> = [
  ['innerHTML', /\.innerHTML\b/],
  ['outerHTML', /\.outerHTML\b/],
  ['insertAdjacentHTML', /insertAdjacentHTML/],
  ['document.write', /document\.write(ln)?\s*\(/],
  ['srcdoc', /\bsrcdoc\b/],
  ['createContextualFragment', /createContextualFragment/],
  ['DOMParser', /\bDOMParser\b/],
  ['setHTMLUnsafe', /setHTMLUnsafe|parseHTMLUnsafe/],
  ['eval', /(^|[^.\w])eval\s*\(/],
  ['new Function', /new\s+Function\s*\(/],
  ['string timer', /set(Timeout|Interval)\s*\(\s*['"`]/],
  // An event handler given as a string is code: the UI's h() takes listeners as functions only.
  ['on* attribute as a string', /setAttribute\(\s*['"`]on\w+/],
  ['on* attribute as a string in h()', /\bon[a-z]+:\s*['"`]/],
];

describe('no HTML or code sinks in the UI or the library', () => {
  const files = ['src/app', 'src/widget', 'src/ui', 'src/runtime', 'src/engine', 'src/strategies', 'src/cache', 'src/request', 'src/verifiers', 'src/answers'].flatMap(sources);

  it('scans every view (and there are views to scan)', () => {
    expect(files.filter((f) => f.includes('/src/app/')).length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith('src/widget/element.ts'))).toBe(true);
  });

  it.each(SINKS)('%s appears nowhere', (_label, sink) => {
    const found = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (sink.test(line) && !/^\s*(\*|\/\/)/.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('the one DOM builder turns strings into Text nodes', () => {
    const dom = readFileSync(join(ROOT, 'src/ui/dom.ts'), 'utf8');
    expect(dom).toMatch(/document\.createTextNode\(String\(child\)\)/);
    expect(dom).toMatch(/typeof value === 'function'[\s\S]*addEventListener/);
  });
});
