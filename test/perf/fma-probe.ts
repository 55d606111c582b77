import type { Backend } from '../../bindings/backend/backend.js';

/**
 * C = A·B for M rows, N = 8, K = 2, with A's rows (−(1 + 2⁻¹¹), 1 + 2⁻¹²) and B's rows (1…)
 * and (1 + 2⁻¹²…): C = −(1 + 2⁻¹¹) + (1 + 2⁻¹²)² = 2⁻²⁴ exactly with a fused multiply-add, and
 * 0 with a multiply then an add (the square, 1 + 2⁻¹¹ + 2⁻²⁴, is a tie that rounds to 1 + 2⁻¹¹).
 * M = 4 runs gemm's few-rows path, M = 8 its packed micro-kernel. Returns C[0] (all must agree).
 */
export function fmaProbe(be: Backend, M: number): number {
  const N = 8, K = 2, a = 1 + 2 ** -12;
  const [C, A, B] = [be.alloc(4 * M * N), be.alloc(4 * M * K), be.alloc(4 * K * N)];
  be.write(A, Array.from({ length: M * K }, (_, i) => (i % 2 ? a : -(1 + 2 ** -11))));
  be.write(B, Array.from({ length: K * N }, (_, i) => (i < N ? 1 : a)));
  be.gemm(C, A, B, M, N, K, 0, 0, 1, 0);
  const got = be.read(C, M * N);
  for (const p of [C, A, B]) be.free(p);
  if (new Set(got).size !== 1) throw new Error(`fmaProbe: C is not uniform: ${Array.from(got).join(', ')}`);
  return got[0];
}
