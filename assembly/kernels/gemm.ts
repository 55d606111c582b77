// GEMM: C (M, N) = alpha·op(A)·op(B) + beta·C, row-major, op ∈ {N, T}.
// A first version: i-k-j SIMD loops. To be replaced by a packed, register-blocked kernel.

export function gemm(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
  transA: i32, transB: i32, alpha: f32, beta: f32): void {
  // Scale C by beta first (beta = 0 overwrites, ignoring NaN garbage).
  for (let i = 0; i < M; i++) {
    const c = C + (<usize>i * <usize>N << 2);
    for (let j = 0; j < N; j++) {
      const p = c + (<usize>j << 2);
      store<f32>(p, beta == 0 ? 0 : load<f32>(p) * beta);
    }
  }
  for (let i = 0; i < M; i++) {
    const c = C + (<usize>i * <usize>N << 2);
    for (let k = 0; k < K; k++) {
      const a = alpha * load<f32>(A + ((transA ? <usize>k * <usize>M + <usize>i : <usize>i * <usize>K + <usize>k) << 2));
      if (transB) {
        for (let j = 0; j < N; j++) {
          const p = c + (<usize>j << 2);
          store<f32>(p, load<f32>(p) + a * load<f32>(B + ((<usize>j * <usize>K + <usize>k) << 2)));
        }
      } else {
        const b = B + (<usize>k * <usize>N << 2);
        const va = f32x4.splat(a);
        let j = 0;
        for (; j + 4 <= N; j += 4) {
          const o = <usize>j << 2;
          v128.store(c + o, f32x4.add(v128.load(c + o), f32x4.mul(va, v128.load(b + o))));
        }
        for (; j < N; j++) {
          const o = <usize>j << 2;
          store<f32>(c + o, load<f32>(c + o) + a * load<f32>(b + o));
        }
      }
    }
  }
}
