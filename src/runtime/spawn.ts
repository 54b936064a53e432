/**
 * Starts a module worker from `url`. A Worker script must be same-origin with the page, and an embed (the
 * widget) is usually served from another origin: then a same-origin blob module that `import`s the script
 * starts it (its host must send CORS headers). Inside, `import.meta.url` is still the script's own, so the
 * engine's chunks and its .wasm load from there.
 */
export function spawnModuleWorker(url: URL, name: string): Worker {
  const options: WorkerOptions = { type: 'module', name };
  if (url.origin === globalThis.location.origin) return new Worker(url, options);
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
  const worker = new Worker(shim, options);
  // The blob is read when the worker starts; revoking it later keeps the page from holding it forever.
  setTimeout(() => URL.revokeObjectURL(shim), 60_000);
  return worker;
}

export function isCrossOrigin(url: URL): boolean {
  return url.origin !== globalThis.location.origin;
}
