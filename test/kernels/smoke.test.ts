import { describe, it } from 'vitest';
import { wasmBackend, jsBackend, upload, freeAll } from '../helpers/backends.js';
import { expectClose, randomArray } from '../helpers/close.js';

describe('gemm parity smoke', () => {
  it('NN 5x7x3', async () => {
    const w = await wasmBackend();
    const out: Float32Array[] = [];
    for (const be of [w, jsBackend]) {
      const [C, A, B] = upload(be, new Float32Array(35), randomArray(15, 1), randomArray(21, 2));
      be.gemm(C, A, B, 5, 7, 3, 0, 0, 1, 0);
      out.push(be.read(C, 35));
      freeAll(be, [C, A, B]);
    }
    expectClose(out[0], out[1]);
  });
});
