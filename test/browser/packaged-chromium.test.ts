/**
 * The browser the tests fall back to on a machine without Debian's /usr/bin/chromium: the one in
 * the @sparticuz/chromium devDependency (test/helpers/browser.ts), tested here even where Debian's
 * is installed, so that CI keeps the fallback working. It must start with the same flags, and give
 * a page served with COOP/COEP what the threads backend needs: crossOriginIsolated,
 * SharedArrayBuffer, a shared WebAssembly.Memory that a worker updates with Atomics, and
 * keelnet's threads builds (SIMD, relaxed SIMD, atomics) compiling. test/browser/threads.test.ts
 * and the others run on it when KEELNET_NO_SYSTEM_CHROMIUM=1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, packagedChromium, type ChromiumExecutable } from '../helpers/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const WASM = ['keelnet-threads.wasm', 'keelnet-threads-relaxed.wasm'];

/** The page's script: a worker adds to a shared wasm memory with Atomics; both threads builds compile. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>packaged chromium</title><script type="module">
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const cells = new Int32Array(memory.buffer);
const worker = new Worker('/worker.js');
worker.postMessage(memory);
// The worker adds 1000 times to cell 0, then sets cell 1 and wakes this thread.
await Atomics.waitAsync(cells, 1, 0).value;
const compiled = [];
for (const file of ${JSON.stringify(WASM)}) {
  const module = await WebAssembly.compile(await (await fetch('/' + file)).arrayBuffer());
  compiled.push({ file, memory: WebAssembly.Module.imports(module).filter((i) => i.kind === 'memory').length });
}
window.result = { crossOriginIsolated, sharedArrayBuffer: typeof SharedArrayBuffer, isShared: memory.buffer instanceof SharedArrayBuffer, sum: cells[0], compiled };
</script>`;
const WORKER = `onmessage = ({ data: memory }) => {
  const cells = new Int32Array(memory.buffer);
  for (let i = 0; i < 1000; i++) Atomics.add(cells, 0, 1);
  Atomics.store(cells, 1, 1);
  Atomics.notify(cells, 1);
};`;

let exe: ChromiumExecutable;
let browser: Browser;
let server: Server;

beforeAll(async () => {
  for (const f of WASM) if (!existsSync(`${root}build/${f}`)) throw new Error(`build/${f} is missing: npm run build:wasm`);
  server = createServer((req, res) => {
    // Cross-origin isolation, as a page that uses keelnet's threads must be served.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    const name = (req.url ?? '/').slice(1);
    if (name === '') { res.setHeader('Content-Type', 'text/html'); res.end(PAGE); return; }
    if (name === 'worker.js') { res.setHeader('Content-Type', 'text/javascript'); res.end(WORKER); return; }
    if (WASM.includes(name)) { res.setHeader('Content-Type', 'application/wasm'); res.end(readFileSync(`${root}build/${name}`)); return; }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  exe = await packagedChromium();
  browser = await launchChromium(exe);
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

it('@sparticuz/chromium starts here and gives a COOP/COEP page SharedArrayBuffer, wasm threads and the threads builds', async () => {
  expect(exe.source).toBe('package');
  expect(exe.path).toMatch(/node_modules\/\.cache\/keelnet-chromium-[\d.]+\/chromium$/);
  expect(Number(browser.version().split('.')[0])).toBeGreaterThanOrEqual(120);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const { port } = server.address() as { port: number };
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, null, { timeout: 30_000 });
  const result = await page.evaluate(() => (window as { result?: unknown }).result);
  expect(result).toEqual({
    crossOriginIsolated: true, sharedArrayBuffer: 'function', isShared: true, sum: 1000,
    // Each threads build imports its shared memory.
    compiled: WASM.map((file) => ({ file, memory: 1 })),
  });
  expect(errors).toEqual([]);
});
