/** Every kernel of the reference core exists in the wasm core under the same name. */
import { expect, it } from 'vitest';
import { wasmBackend, jsBackend } from '../helpers/backends.js';

it('the wasm core exports every kernel the js core has', async () => {
  const wasm = await wasmBackend();
  const names = Object.keys(jsBackend).filter((k) => typeof (jsBackend as unknown as Record<string, unknown>)[k] === 'function');
  expect(names.length).toBeGreaterThan(20);
  const missing = names.filter((k) => typeof (wasm as unknown as Record<string, unknown>)[k] !== 'function');
  expect(missing).toEqual([]);
});
