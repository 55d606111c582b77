// Losses with their gradients. Each returns the loss summed over `rows` samples (f64) and
// overwrites dP with d(mean over rows)/dP. Per-sample losses average their last axis, as Keras.
// Probabilities are normalized per row and clipped to [EPS, 1 − EPS] as Keras 3 does; the
// logits paths use log-sum-exp and never form a probability that could underflow.
import { sigmoidf } from '../math';

const EPS: f32 = 1e-7;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** max over one row. */
function rowMax(z: usize, cols: i32): f32 {
  let m = -Infinity as f32;
  for (let c = 0; c < cols; c++) m = Mathf.max(m, load<f32>(at(z, c)));
  return m;
}

/** Σ exp(z − m) over one row. */
function sumExp(z: usize, cols: i32, m: f32): f32 {
  let s: f32 = 0;
  for (let c = 0; c < cols; c++) s += Mathf.exp(load<f32>(at(z, c)) - m);
  return s;
}

/** Cross-entropy of one row against target weights t(c) (one-hot for sparse labels). */
// @ts-ignore: decorator
@inline function crossentropyRow(dp: usize, p: usize, T: usize, label: i32, cols: i32, fromLogits: i32, inv: f32): f64 {
  let loss: f64 = 0;
  if (fromLogits) {
    // −log softmax_c = (m − z_c) + log s with s = Σ exp(z − m). m and log s stay apart: their
    // sum, the log-sum-exp, rounded to float32 would carry an error of ulp(m) (7.6e-6 at m = 100)
    // into every loss term and every softmax_c.
    const m = rowMax(p, cols);
    const s = sumExp(p, cols, m);
    const logS = Mathf.log(s);
    let tsum: f32 = 0;
    for (let c = 0; c < cols; c++) {
      const t: f32 = label >= 0 ? (c == label ? 1 : 0) : load<f32>(at(T, c));
      tsum += t;
      loss += <f64>(t * ((m - load<f32>(at(p, c))) + logS));
    }
    // d/dz_c = softmax_c · Σt − t_c
    const w: f32 = tsum / s;
    for (let c = 0; c < cols; c++) {
      const t: f32 = label >= 0 ? (c == label ? 1 : 0) : load<f32>(at(T, c));
      store<f32>(at(dp, c), (Mathf.exp(load<f32>(at(p, c)) - m) * w - t) * inv);
    }
  } else {
    let s: f32 = 0;
    for (let c = 0; c < cols; c++) s += load<f32>(at(p, c));
    // L = −Σ t_c log clip(p_c / S); dL/dp_k = −t_k u_k / p_k + (Σ_c t_c u_c) / S, u = "not clipped".
    let tu: f32 = 0;
    for (let c = 0; c < cols; c++) {
      const t: f32 = label >= 0 ? (c == label ? 1 : 0) : load<f32>(at(T, c));
      const q = load<f32>(at(p, c)) / s;
      const qc = Mathf.min(Mathf.max(q, EPS), 1 - EPS);
      loss -= <f64>(t * Mathf.log(qc));
      if (q == qc) tu += t;
    }
    for (let c = 0; c < cols; c++) {
      const t: f32 = label >= 0 ? (c == label ? 1 : 0) : load<f32>(at(T, c));
      const pc = load<f32>(at(p, c));
      const q = pc / s;
      const clipped = q < EPS || q > 1 - EPS;
      store<f32>(at(dp, c), ((clipped || t == 0 ? 0 : -t / pc) + tu / s) * inv);
    }
  }
  return loss;
}

export function sparseCategoricalCrossentropy(dP: usize, P: usize, labels: usize, rows: i32, cols: i32, fromLogits: i32): f64 {
  const inv: f32 = 1 / <f32>rows;
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols << 2;
    loss += crossentropyRow(dP + o, P + o, 0, load<i32>(at(labels, r)), cols, fromLogits, inv);
  }
  return loss;
}

export function categoricalCrossentropy(dP: usize, P: usize, T: usize, rows: i32, cols: i32, fromLogits: i32): f64 {
  const inv: f32 = 1 / <f32>rows;
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols << 2;
    loss += crossentropyRow(dP + o, P + o, T + o, -1, cols, fromLogits, inv);
  }
  return loss;
}

export function binaryCrossentropy(dP: usize, P: usize, T: usize, rows: i32, cols: i32, fromLogits: i32): f64 {
  const n = rows * cols;
  const inv: f32 = 1 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = load<f32>(at(P, i)), t = load<f32>(at(T, i));
    if (fromLogits) {
      // max(z, 0) − z·t + log(1 + e^−|z|)
      loss += <f64>(Mathf.max(p, 0) - p * t + Mathf.log1p(Mathf.exp(-Mathf.abs(p))));
      store<f32>(at(dP, i), (sigmoidf(p) - t) * inv);
    } else {
      const pc = Mathf.min(Mathf.max(p, EPS), 1 - EPS);
      loss -= <f64>(t * Mathf.log(pc) + (1 - t) * Mathf.log(1 - pc));
      store<f32>(at(dP, i), pc == p ? (-t / p + (1 - t) / (1 - p)) * inv : 0);
    }
  }
  return loss / <f64>cols;
}

export function meanSquaredError(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 2 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = load<f32>(at(P, i)) - load<f32>(at(T, i));
    loss += <f64>(e * e);
    store<f32>(at(dP, i), e * g);
  }
  return loss / <f64>cols;
}

export function meanAbsoluteError(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 1 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = load<f32>(at(P, i)) - load<f32>(at(T, i));
    loss += <f64>Mathf.abs(e);
    store<f32>(at(dP, i), e > 0 ? g : e < 0 ? -g : 0);
  }
  return loss / <f64>cols;
}

export function huber(dP: usize, P: usize, T: usize, rows: i32, cols: i32, delta: f32): f64 {
  const n = rows * cols;
  const g: f32 = 1 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = load<f32>(at(P, i)) - load<f32>(at(T, i));
    const a = Mathf.abs(e);
    if (a <= delta) {
      loss += <f64>(0.5 * e * e);
      store<f32>(at(dP, i), e * g);
    } else {
      loss += <f64>(delta * (a - 0.5 * delta));
      store<f32>(at(dP, i), (e > 0 ? delta : -delta) * g);
    }
  }
  return loss / <f64>cols;
}
