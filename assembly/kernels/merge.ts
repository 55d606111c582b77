// Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot): the few
// kernels they need beyond the memory helpers of elementwise.ts. Add, Subtract and Average are
// copy, addInto, axpy and scale; the rest is here, forward and backward side by side.
// Element-wise kernels and row copies walk f32x4 with a scalar tail; Dot's l2 normalization
// walks f32x4 along the contiguous axis (inner ≥ 4: across positions; inner = 1: along the row).
import { addRun, copyRun, hsum, madd } from '../simd';
import { gemm } from './gemm-halves';

// ---- Multiply ---------------------------------------------------------------------------------

/** Y[i] *= X[i]: Multiply's forward, one input at a time. */
export function mulInto(Y: usize, X: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(Y + o, f32x4.mul(v128.load(Y + o), v128.load(X + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(Y + o, load<f32>(Y + o) * load<f32>(X + o));
  }
}

/**
 * Y[i] += A[i]·B[i]: Multiply's backward (dXⱼ += dY·Πₖ≠ⱼ Xₖ) and Dot's elementwise products.
 * `madd` as in axpy: the relaxed build may fuse the multiply-add (one rounding instead of two).
 */
export function mulAdd(Y: usize, A: usize, B: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(Y + o, madd(v128.load(A + o), v128.load(B + o), v128.load(Y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(Y + o, load<f32>(Y + o) + load<f32>(A + o) * load<f32>(B + o));
  }
}

// ---- Maximum, Minimum -------------------------------------------------------------------------

/**
 * One input of Maximum (sign = +1) or Minimum (sign = −1), Y, Arg (int32), X (n).
 * k = 0: Y = X, Arg = 0. k > 0: where sign·X[i] > sign·Y[i], Y[i] = X[i] and Arg[i] = k.
 * The comparison is strict, so a tie stays with the earlier input (TF's chained tf.maximum sends
 * the gradient there too). NaN compares false: a NaN in input 0 stays in Y (no later input
 * replaces it), a NaN in a later input is never taken. Y takes X's bits unchanged, so both cores
 * agree bitwise, NaN included. Multiplying by ±1 is exact: the test is the formula itself.
 */
export function extremumStep(Y: usize, Arg: usize, X: usize, n: i32, k: i32, sign: i32): void {
  if (k == 0) {
    memory.copy(Y, X, <usize>n << 2);
    memory.fill(Arg, 0, <usize>n << 2);
    return;
  }
  const s = <f32>sign, vs = f32x4.splat(s), vk = i32x4.splat(k);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(X + o), y = v128.load(Y + o);
    const take = f32x4.gt(f32x4.mul(vs, x), f32x4.mul(vs, y));
    v128.store(Y + o, v128.bitselect(x, y, take));
    v128.store(Arg + o, v128.bitselect(vk, v128.load(Arg + o), take));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(X + o);
    if (s * x > s * load<f32>(Y + o)) {
      store<f32>(Y + o, x);
      store<i32>(Arg + o, k);
    }
  }
}

/**
 * dX[i] += dY[i] where Arg[i] = k: the gradient reaches only the input that won. A select, not
 * an add of dY masked to 0, so unselected elements keep their bits (−0 + 0 would be +0).
 */
export function extremumBackward(dX: usize, dY: usize, Arg: usize, n: i32, k: i32): void {
  const vk = i32x4.splat(k);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const d = v128.load(dX + o);
    v128.store(dX + o, v128.bitselect(f32x4.add(d, v128.load(dY + o)), d, i32x4.eq(v128.load(Arg + o), vk)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (load<i32>(Arg + o) == k) store<f32>(dX + o, load<f32>(dX + o) + load<f32>(dY + o));
  }
}

// ---- Concatenate ------------------------------------------------------------------------------
// Y (rows, yStride) is the concatenation; X (rows, cols) one input, at columns yOffset.. of Y.

/** Y[r, yOffset + c] = X[r, c]. */
export function copyColumns(Y: usize, X: usize, rows: i32, cols: i32, yStride: i32, yOffset: i32): void {
  for (let r = 0; r < rows; r++) {
    copyRun(Y + ((<usize>r * <usize>yStride + <usize>yOffset) << 2), X + (<usize>r * <usize>cols << 2), cols);
  }
}

/** dX[r, c] += dY[r, yOffset + c]. */
export function addColumnsFrom(dX: usize, dY: usize, rows: i32, cols: i32, yStride: i32, yOffset: i32): void {
  for (let r = 0; r < rows; r++) {
    addRun(dX + (<usize>r * <usize>cols << 2), dY + ((<usize>r * <usize>yStride + <usize>yOffset) << 2), cols);
  }
}

// ---- Dot --------------------------------------------------------------------------------------

/**
 * For b < batch: C_b (M, N) = alpha·op(A_b)·op(B_b) + beta·C_b, with A_b, B_b, C_b the b-th
 * dense blocks of M·K, K·N and M·N floats (op and storage as in gemm). One gemm per block, on
 * the calling thread's packing slot: Dot's products are small, one per sample.
 */
export function gemmBatched(C: usize, A: usize, B: usize, batch: i32, M: i32, N: i32, K: i32,
  transA: i32, transB: i32, alpha: f32, beta: f32): void {
  const a = <usize>M * <usize>K << 2, b = <usize>K * <usize>N << 2, c = <usize>M * <usize>N << 2;
  for (let i = 0; i < batch; i++) {
    gemm(C + <usize>i * c, A + <usize>i * a, B + <usize>i * b, M, N, K, transA, transB, alpha, beta);
  }
}

// Dot(normalize = true)'s l2 normalization. X, Y, dX, dY (outer, len, inner), normalized along
// len; InvNorm (outer, inner). s = Σ_l X², summed in f32 in l order (inner > 1: each lane one
// position; inner = 1: four partial sums, then their sum), with plain multiplies and adds (no
// madd), so the SIMD128 and relaxed builds agree bitwise. Backward recomputes s the same way, so
// it takes the same clamped/unclamped branch as forward did.

/** Σ_l x[l]² over a contiguous row of len floats: four partial sums, then hsum, then the tail. */
// @ts-ignore: decorator
@inline function rowSumSquares(x: usize, len: i32): f32 {
  let acc = f32x4.splat(0);
  let l = 0;
  for (; l + 4 <= len; l += 4) {
    const v = v128.load(x + (<usize>l << 2));
    acc = f32x4.add(acc, f32x4.mul(v, v));
  }
  let s = hsum(acc);
  for (; l < len; l++) {
    const v = load<f32>(x + (<usize>l << 2));
    s += v * v;
  }
  return s;
}

/** Σ_l a[l]·b[l] over contiguous rows, in the order of rowSumSquares. */
// @ts-ignore: decorator
@inline function rowDot(a: usize, b: usize, len: i32): f32 {
  let acc = f32x4.splat(0);
  let l = 0;
  for (; l + 4 <= len; l += 4) {
    const o = <usize>l << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = hsum(acc);
  for (; l < len; l++) {
    const o = <usize>l << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

/**
 * InvNorm[o, i] = 1/√max(Σ_l X[o, l, i]², epsilon); Y = X·InvNorm (Keras l2_normalize: the
 * caller passes epsilon, 1e-12 by default). A zero vector gives Y = 0, not NaN.
 */
export function l2NormalizeForward(Y: usize, InvNorm: usize, X: usize, outer: i32, len: i32, inner: i32, epsilon: f32): void {
  const col = <usize>inner << 2, block = <usize>len * col;
  const eps = f32x4.splat(epsilon), one = f32x4.splat(1);
  for (let o = 0; o < outer; o++) {
    const x = X + <usize>o * block, y = Y + <usize>o * block, inv = InvNorm + <usize>o * col;
    if (inner == 1) {
      const r: f32 = 1 / Mathf.sqrt(Mathf.max(rowSumSquares(x, len), epsilon));
      store<f32>(inv, r);
      const vr = f32x4.splat(r);
      let l = 0;
      for (; l + 4 <= len; l += 4) {
        const p = <usize>l << 2;
        v128.store(y + p, f32x4.mul(v128.load(x + p), vr));
      }
      for (; l < len; l++) {
        const p = <usize>l << 2;
        store<f32>(y + p, load<f32>(x + p) * r);
      }
      continue;
    }
    // inner > 1: four positions at a time, each lane summing its own column down len.
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const c = <usize>i << 2;
      let s = f32x4.splat(0);
      for (let l = 0; l < len; l++) {
        const v = v128.load(x + <usize>l * col + c);
        s = f32x4.add(s, f32x4.mul(v, v));
      }
      const r = f32x4.div(one, f32x4.sqrt(f32x4.max(s, eps)));
      v128.store(inv + c, r);
      for (let l = 0; l < len; l++) {
        const p = <usize>l * col + c;
        v128.store(y + p, f32x4.mul(v128.load(x + p), r));
      }
    }
    for (; i < inner; i++) {
      const c = <usize>i << 2;
      let s: f32 = 0;
      for (let l = 0; l < len; l++) {
        const v = load<f32>(x + <usize>l * col + c);
        s += v * v;
      }
      const r: f32 = 1 / Mathf.sqrt(Mathf.max(s, epsilon));
      store<f32>(inv + c, r);
      for (let l = 0; l < len; l++) {
        const p = <usize>l * col + c;
        store<f32>(y + p, load<f32>(x + p) * r);
      }
    }
  }
}

/**
 * dX += the gradient of l2NormalizeForward, given its Y and InvNorm: where s > epsilon,
 * dX += InvNorm·(dY − Y·Σ_l dY·Y) (the projection off y, scaled by 1/‖x‖); where s ≤ epsilon the
 * norm is the constant √epsilon and dX += InvNorm·dY. s is recomputed from X.
 */
export function l2NormalizeBackward(dX: usize, dY: usize, Y: usize, InvNorm: usize, X: usize,
  outer: i32, len: i32, inner: i32, epsilon: f32): void {
  const col = <usize>inner << 2, block = <usize>len * col;
  const eps = f32x4.splat(epsilon);
  for (let o = 0; o < outer; o++) {
    const off = <usize>o * block;
    const x = X + off, y = Y + off, dx = dX + off, dy = dY + off, inv = InvNorm + <usize>o * col;
    if (inner == 1) {
      const r = load<f32>(inv);
      // Clamped: the projection term is absent (dot = 0 would turn an infinite Y into NaN).
      const clamped = !(rowSumSquares(x, len) > epsilon);
      const dot: f32 = clamped ? 0 : rowDot(dy, y, len);
      const vr = f32x4.splat(r), vd = f32x4.splat(dot);
      let l = 0;
      if (clamped) {
        for (; l + 4 <= len; l += 4) {
          const p = <usize>l << 2;
          v128.store(dx + p, f32x4.add(v128.load(dx + p), f32x4.mul(vr, v128.load(dy + p))));
        }
        for (; l < len; l++) {
          const p = <usize>l << 2;
          store<f32>(dx + p, load<f32>(dx + p) + r * load<f32>(dy + p));
        }
        continue;
      }
      for (; l + 4 <= len; l += 4) {
        const p = <usize>l << 2;
        const g = f32x4.sub(v128.load(dy + p), f32x4.mul(v128.load(y + p), vd));
        v128.store(dx + p, f32x4.add(v128.load(dx + p), f32x4.mul(vr, g)));
      }
      for (; l < len; l++) {
        const p = <usize>l << 2;
        store<f32>(dx + p, load<f32>(dx + p) + r * (load<f32>(dy + p) - load<f32>(y + p) * dot));
      }
      continue;
    }
    // inner > 1: four positions at a time; each lane picks its branch with a select.
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const c = <usize>i << 2;
      let s = f32x4.splat(0), dot = f32x4.splat(0);
      for (let l = 0; l < len; l++) {
        const p = <usize>l * col + c;
        const v = v128.load(x + p);
        s = f32x4.add(s, f32x4.mul(v, v));
        dot = f32x4.add(dot, f32x4.mul(v128.load(dy + p), v128.load(y + p)));
      }
      const free = f32x4.gt(s, eps), r = v128.load(inv + c);
      for (let l = 0; l < len; l++) {
        const p = <usize>l * col + c;
        const g = v128.load(dy + p);
        const projected = f32x4.sub(g, f32x4.mul(v128.load(y + p), dot));
        v128.store(dx + p, f32x4.add(v128.load(dx + p), f32x4.mul(r, v128.bitselect(projected, g, free))));
      }
    }
    for (; i < inner; i++) {
      const c = <usize>i << 2;
      let s: f32 = 0, dot: f32 = 0;
      for (let l = 0; l < len; l++) {
        const p = <usize>l * col + c;
        const v = load<f32>(x + p);
        s += v * v;
        dot += load<f32>(dy + p) * load<f32>(y + p);
      }
      const free = s > epsilon, r = load<f32>(inv + c);
      for (let l = 0; l < len; l++) {
        const p = <usize>l * col + c;
        const g = load<f32>(dy + p);
        store<f32>(dx + p, load<f32>(dx + p) + r * (free ? g - load<f32>(y + p) * dot : g));
      }
    }
  }
}
