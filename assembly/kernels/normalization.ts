// Batch and layer normalization, forward and backward side by side.
//
// Both compute x̂ = (x − mean)/√(var + ε) with the biased variance and y = γ·x̂ + β, over
// X (rows, cols): batch normalization takes the statistics down each column (a feature, over
// the batch and, for NHWC inputs, every position), layer normalization along each row.
// gamma or beta = 0 means absent (γ = 1, β = 0); dX, dGamma, dBeta = 0 mean "not needed".
//
// The backward passes recompute the statistics from X instead of reading saved ones: two more
// passes over X, and no per-layer scratch memory for the planner to lay out.
import { hsum, madd } from '../simd';

// ---- batch normalization: statistics per column, four columns per f32x4 ---------------------

/** Mean of four adjacent columns; X points at the first row of the four, rows are `stride` bytes apart. */
// @ts-ignore: decorator
@inline function columnMean4(X: usize, rows: i32, stride: usize): v128 {
  let s = f32x4.splat(0);
  for (let r = 0; r < rows; r++) s = f32x4.add(s, v128.load(X + <usize>r * stride));
  return f32x4.div(s, f32x4.splat(<f32>rows));
}

/** Biased variance of four adjacent columns, two-pass (Σ(x − mean)², not Σx² − mean²: no cancellation). */
// @ts-ignore: decorator
@inline function columnVariance4(X: usize, mean: v128, rows: i32, stride: usize): v128 {
  let s = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const d = f32x4.sub(v128.load(X + <usize>r * stride), mean);
    s = madd(d, d, s);
  }
  return f32x4.div(s, f32x4.splat(<f32>rows));
}

// @ts-ignore: decorator
@inline function columnMean(X: usize, rows: i32, stride: usize): f32 {
  let s: f32 = 0;
  for (let r = 0; r < rows; r++) s += load<f32>(X + <usize>r * stride);
  return s / <f32>rows;
}

// @ts-ignore: decorator
@inline function columnVariance(X: usize, mean: f32, rows: i32, stride: usize): f32 {
  let s: f32 = 0;
  for (let r = 0; r < rows; r++) {
    const d = load<f32>(X + <usize>r * stride) - mean;
    s += d * d;
  }
  return s / <f32>rows;
}

/**
 * Y = γ·(X − mean)/√(var + ε) + β per column of X (rows, cols); gamma, beta, movingMean,
 * movingVar (cols).
 * training = 1: mean and var are the column's batch statistics, and the moving statistics are
 * updated in place, moving = moving·momentum + batch·(1 − momentum) (Keras 3).
 * training = 0: mean and var are the moving statistics, left untouched.
 */
export function batchNormForward(Y: usize, movingMean: usize, movingVar: usize, X: usize, gamma: usize, beta: usize,
  rows: i32, cols: i32, momentum: f32, epsilon: f32, training: i32): void {
  const stride = <usize>cols << 2;
  const m1: f32 = 1 - momentum;
  const vm = f32x4.splat(momentum), vm1 = f32x4.splat(m1), veps = f32x4.splat(epsilon);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2;
    let mean: v128, variance: v128;
    if (training) {
      mean = columnMean4(X + o, rows, stride);
      variance = columnVariance4(X + o, mean, rows, stride);
      v128.store(movingMean + o, madd(v128.load(movingMean + o), vm, f32x4.mul(mean, vm1)));
      v128.store(movingVar + o, madd(v128.load(movingVar + o), vm, f32x4.mul(variance, vm1)));
    } else {
      mean = v128.load(movingMean + o);
      variance = v128.load(movingVar + o);
    }
    const inv = f32x4.div(f32x4.splat(1), f32x4.sqrt(f32x4.add(variance, veps)));
    const a = gamma ? f32x4.mul(v128.load(gamma + o), inv) : inv;
    const b = beta ? v128.load(beta + o) : f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const p = <usize>r * stride + o;
      v128.store(Y + p, madd(f32x4.sub(v128.load(X + p), mean), a, b));
    }
  }
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    let mean: f32, variance: f32;
    if (training) {
      mean = columnMean(X + o, rows, stride);
      variance = columnVariance(X + o, mean, rows, stride);
      store<f32>(movingMean + o, load<f32>(movingMean + o) * momentum + mean * m1);
      store<f32>(movingVar + o, load<f32>(movingVar + o) * momentum + variance * m1);
    } else {
      mean = load<f32>(movingMean + o);
      variance = load<f32>(movingVar + o);
    }
    const inv: f32 = 1 / Mathf.sqrt(variance + epsilon);
    const a = gamma ? load<f32>(gamma + o) * inv : inv;
    const b: f32 = beta ? load<f32>(beta + o) : 0;
    for (let r = 0; r < rows; r++) {
      const p = <usize>r * stride + o;
      store<f32>(Y + p, (load<f32>(X + p) - mean) * a + b);
    }
  }
}

/**
 * Gradients of batchNormForward with the same `training`, accumulated (+=); x̂ = (x − mean)·inv:
 *   dBeta += Σ_r dY,  dGamma += Σ_r dY·x̂,
 *   training = 1 (the statistics depend on X): dX += γ·inv·(dY − Σ_r dY/rows − x̂·Σ_r dY·x̂/rows),
 *   training = 0 (moving statistics are constants): dX += γ·inv·dY.
 */
export function batchNormBackward(dX: usize, dGamma: usize, dBeta: usize, dY: usize, X: usize, gamma: usize,
  movingMean: usize, movingVar: usize, rows: i32, cols: i32, epsilon: f32, training: i32): void {
  const stride = <usize>cols << 2;
  const veps = f32x4.splat(epsilon), vrows = f32x4.splat(<f32>rows);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2;
    let mean: v128, variance: v128;
    if (training) {
      mean = columnMean4(X + o, rows, stride);
      variance = columnVariance4(X + o, mean, rows, stride);
    } else {
      mean = v128.load(movingMean + o);
      variance = v128.load(movingVar + o);
    }
    const inv = f32x4.div(f32x4.splat(1), f32x4.sqrt(f32x4.add(variance, veps)));
    let sdy = f32x4.splat(0), sdyx = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const p = <usize>r * stride + o;
      const dy = v128.load(dY + p);
      sdy = f32x4.add(sdy, dy);
      sdyx = madd(dy, f32x4.mul(f32x4.sub(v128.load(X + p), mean), inv), sdyx);
    }
    if (dGamma) v128.store(dGamma + o, f32x4.add(v128.load(dGamma + o), sdyx));
    if (dBeta) v128.store(dBeta + o, f32x4.add(v128.load(dBeta + o), sdy));
    if (!dX) continue;
    const a = gamma ? f32x4.mul(v128.load(gamma + o), inv) : inv;
    const k1 = training ? f32x4.div(sdy, vrows) : f32x4.splat(0);
    const k2 = training ? f32x4.div(sdyx, vrows) : f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const p = <usize>r * stride + o;
      const xh = f32x4.mul(f32x4.sub(v128.load(X + p), mean), inv);
      const g = f32x4.sub(f32x4.sub(v128.load(dY + p), k1), f32x4.mul(xh, k2));
      v128.store(dX + p, madd(a, g, v128.load(dX + p)));
    }
  }
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    let mean: f32, variance: f32;
    if (training) {
      mean = columnMean(X + o, rows, stride);
      variance = columnVariance(X + o, mean, rows, stride);
    } else {
      mean = load<f32>(movingMean + o);
      variance = load<f32>(movingVar + o);
    }
    const inv: f32 = 1 / Mathf.sqrt(variance + epsilon);
    let sdy: f32 = 0, sdyx: f32 = 0;
    for (let r = 0; r < rows; r++) {
      const p = <usize>r * stride + o;
      const dy = load<f32>(dY + p);
      sdy += dy;
      sdyx += dy * ((load<f32>(X + p) - mean) * inv);
    }
    if (dGamma) store<f32>(dGamma + o, load<f32>(dGamma + o) + sdyx);
    if (dBeta) store<f32>(dBeta + o, load<f32>(dBeta + o) + sdy);
    if (!dX) continue;
    const a = gamma ? load<f32>(gamma + o) * inv : inv;
    const k1: f32 = training ? sdy / <f32>rows : 0;
    const k2: f32 = training ? sdyx / <f32>rows : 0;
    for (let r = 0; r < rows; r++) {
      const p = <usize>r * stride + o;
      const xh = (load<f32>(X + p) - mean) * inv;
      store<f32>(dX + p, load<f32>(dX + p) + a * (load<f32>(dY + p) - k1 - xh * k2));
    }
  }
}

// ---- layer normalization: statistics per row, four columns per f32x4 along the row ----------

/** Mean of one row of `cols` floats. */
// @ts-ignore: decorator
@inline function rowMean(x: usize, cols: i32): f32 {
  let v = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) v = f32x4.add(v, v128.load(x + (<usize>c << 2)));
  let s = hsum(v);
  for (; c < cols; c++) s += load<f32>(x + (<usize>c << 2));
  return s / <f32>cols;
}

/** Biased variance of one row, two-pass. */
// @ts-ignore: decorator
@inline function rowVariance(x: usize, mean: f32, cols: i32): f32 {
  const vmean = f32x4.splat(mean);
  let v = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const d = f32x4.sub(v128.load(x + (<usize>c << 2)), vmean);
    v = madd(d, d, v);
  }
  let s = hsum(v);
  for (; c < cols; c++) {
    const d = load<f32>(x + (<usize>c << 2)) - mean;
    s += d * d;
  }
  return s / <f32>cols;
}

/** Y = γ·(X − mean)/√(var + ε) + β per row of X (rows, cols); gamma, beta (cols). */
export function layerNormForward(Y: usize, X: usize, gamma: usize, beta: usize, rows: i32, cols: i32, epsilon: f32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>cols << 2;
    const x = X + off, y = Y + off;
    const mean = rowMean(x, cols);
    const inv: f32 = 1 / Mathf.sqrt(rowVariance(x, mean, cols) + epsilon);
    const vmean = f32x4.splat(mean), vinv = f32x4.splat(inv);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o), vmean), vinv);
      v128.store(y + o, madd(xh, gamma ? v128.load(gamma + o) : one, beta ? v128.load(beta + o) : zero));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(x + o) - mean) * inv;
      store<f32>(y + o, xh * (gamma ? load<f32>(gamma + o) : 1) + (beta ? load<f32>(beta + o) : 0));
    }
  }
}

/**
 * Gradients of layerNormForward, accumulated (+=); per row, x̂ = (x − mean)·inv, g = γ·dY:
 *   dBeta += Σ_rows dY,  dGamma += Σ_rows dY·x̂,
 *   dX += inv·(g − Σ_c g/cols − x̂·Σ_c g·x̂/cols).
 */
export function layerNormBackward(dX: usize, dGamma: usize, dBeta: usize, dY: usize, X: usize, gamma: usize,
  rows: i32, cols: i32, epsilon: f32): void {
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>cols << 2;
    const x = X + off, dy = dY + off;
    const mean = rowMean(x, cols);
    const inv: f32 = 1 / Mathf.sqrt(rowVariance(x, mean, cols) + epsilon);
    const vmean = f32x4.splat(mean), vinv = f32x4.splat(inv);
    // Pass 1: the weight gradients and the two row sums dX needs.
    let vs1 = f32x4.splat(0), vs2 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const d = v128.load(dy + o);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o), vmean), vinv);
      if (dGamma) v128.store(dGamma + o, madd(d, xh, v128.load(dGamma + o)));
      if (dBeta) v128.store(dBeta + o, f32x4.add(v128.load(dBeta + o), d));
      const g = f32x4.mul(d, gamma ? v128.load(gamma + o) : one);
      vs1 = f32x4.add(vs1, g);
      vs2 = madd(g, xh, vs2);
    }
    let s1 = hsum(vs1), s2 = hsum(vs2);
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const d = load<f32>(dy + o);
      const xh = (load<f32>(x + o) - mean) * inv;
      if (dGamma) store<f32>(dGamma + o, load<f32>(dGamma + o) + d * xh);
      if (dBeta) store<f32>(dBeta + o, load<f32>(dBeta + o) + d);
      const g = d * (gamma ? load<f32>(gamma + o) : 1);
      s1 += g;
      s2 += g * xh;
    }
    if (!dX) continue;
    // Pass 2: dX.
    const k1: f32 = s1 / <f32>cols, k2: f32 = s2 / <f32>cols;
    const vk1 = f32x4.splat(k1), vk2 = f32x4.splat(k2);
    const dx = dX + off;
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o), vmean), vinv);
      const g = f32x4.mul(v128.load(dy + o), gamma ? v128.load(gamma + o) : one);
      v128.store(dx + o, madd(vinv, f32x4.sub(f32x4.sub(g, vk1), f32x4.mul(xh, vk2)), v128.load(dx + o)));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(x + o) - mean) * inv;
      const g = load<f32>(dy + o) * (gamma ? load<f32>(gamma + o) : 1);
      store<f32>(dx + o, load<f32>(dx + o) + inv * (g - k1 - xh * k2));
    }
  }
}
