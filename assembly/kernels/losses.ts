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

// ---- Keras 3's other losses (keras/src/losses/losses.py) ------------------------------------
// The elementwise ones average the last axis; kullbackLeiblerDivergence, categoricalHinge and
// cosineSimilarity reduce it by a sum (or a max), as Keras does.

/**
 * Keras turns {0, 1} labels into {−1, 1} for the hinge losses when every label in the batch is
 * 0 or 1 (convert_binary_labels_to_hinge); any other value leaves them all as given.
 */
function hingeLabelsAreBinary(T: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const t = load<f32>(at(T, i));
    if (t != 0 && t != 1) return false;
  }
  return true;
}

/** mean(max(1 − t·p, 0)); d/dp = −t where the margin 1 − t·p is positive. */
export function hinge(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 1 / <f32>n;
  const binary = hingeLabelsAreBinary(T, n);
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    let t = load<f32>(at(T, i));
    if (binary) t = 2 * t - 1;
    const m: f32 = 1 - t * load<f32>(at(P, i));
    loss += <f64>Mathf.max(m, 0);
    store<f32>(at(dP, i), m > 0 ? -t * g : 0);
  }
  return loss / <f64>cols;
}

/** mean(max(1 − t·p, 0)²); d/dp = −2t·max(1 − t·p, 0). */
export function squaredHinge(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 1 / <f32>n;
  const binary = hingeLabelsAreBinary(T, n);
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    let t = load<f32>(at(T, i));
    if (binary) t = 2 * t - 1;
    const m: f32 = Mathf.max(1 - t * load<f32>(at(P, i)), 0);
    loss += <f64>(m * m);
    store<f32>(at(dP, i), -2 * t * m * g);
  }
  return loss / <f64>cols;
}

/**
 * Per row max(neg − pos + 1, 0) with pos = Σ t·p and neg = max((1 − t)·p). Where positive,
 * d/dp_c = −t_c, plus (1 − t_c) at the (first) argmax of (1 − t)·p.
 */
export function categoricalHinge(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const inv: f32 = 1 / <f32>rows;
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols << 2;
    const p = P + o, t = T + o, dp = dP + o;
    let pos: f32 = 0, neg = -Infinity as f32, k = 0;
    for (let c = 0; c < cols; c++) {
      const tc = load<f32>(at(t, c)), pc = load<f32>(at(p, c));
      pos += tc * pc;
      const v: f32 = (<f32>1 - tc) * pc;
      if (v > neg) { neg = v; k = c; }
    }
    const l: f32 = neg - pos + 1;
    loss += <f64>Mathf.max(l, 0);
    for (let c = 0; c < cols; c++) {
      const tc = load<f32>(at(t, c));
      store<f32>(at(dp, c), l > 0 ? ((c == k ? <f32>1 - tc : <f32>0) - tc) * inv : 0);
    }
  }
  return loss;
}

/**
 * mean(log cosh(p − t)), written as |x| + log1p(e^−2|x|) − log 2 so that cosh never overflows
 * (Keras: x + softplus(−2x) − log 2); the term in f64, where the − log 2 cancels without loss.
 * d/dp = tanh(p − t).
 */
export function logcosh(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 1 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(at(P, i)) - load<f32>(at(T, i));
    const a = Math.abs(<f64>x);
    loss += a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
    store<f32>(at(dP, i), Mathf.tanh(x) * g);
  }
  return loss / <f64>cols;
}

/** mean(p − t·log(p + ε)); d/dp = 1 − t/(p + ε). */
export function poisson(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 1 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = load<f32>(at(P, i)), t = load<f32>(at(T, i));
    loss += <f64>(p - t * Mathf.log(p + EPS));
    store<f32>(at(dP, i), (1 - t / (p + EPS)) * g);
  }
  return loss / <f64>cols;
}

/**
 * Σ t·log(t/p) over the last axis, with t and p clipped to [ε, 1]; d/dp = −t/p where p is
 * inside the clip, 0 where it is clipped (as through Keras's clip).
 */
export function kullbackLeiblerDivergence(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const inv: f32 = 1 / <f32>rows;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = load<f32>(at(P, i));
    const t = Mathf.min(Mathf.max(load<f32>(at(T, i)), EPS), 1);
    const pc = Mathf.min(Mathf.max(p, EPS), 1);
    loss += <f64>(t * Mathf.log(t / pc));
    store<f32>(at(dP, i), pc == p ? -t / p * inv : 0);
  }
  return loss;
}

/**
 * Per row −Σ t̂·p̂ with x̂ = x · min(1/‖x‖, 1/ε) (Keras's normalize): −cos(t, p). Where ‖p‖ > ε,
 * d/dp = −(t̂ − cos·p̂)/‖p‖; below, p̂ = p/ε and d/dp = −t̂/ε.
 */
export function cosineSimilarity(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const inv: f32 = 1 / <f32>rows;
  const maxInv: f32 = 1 / EPS;
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols << 2;
    const p = P + o, t = T + o, dp = dP + o;
    let pp: f32 = 0, tt: f32 = 0, tp: f32 = 0;
    for (let c = 0; c < cols; c++) {
      const pc = load<f32>(at(p, c)), tc = load<f32>(at(t, c));
      pp += pc * pc; tt += tc * tc; tp += tc * pc;
    }
    const it = Mathf.min(1 / Mathf.sqrt(tt), maxInv);
    const ipRaw: f32 = 1 / Mathf.sqrt(pp);
    const ip = Mathf.min(ipRaw, maxInv);
    const cos: f32 = tp * it * ip;
    loss -= <f64>cos;
    // Unclamped: −it·ip·(t_c − (t·p)·ip²·p_c). Clamped: −it·maxInv·t_c.
    const w: f32 = ipRaw < maxInv ? tp * ip * ip : 0;
    for (let c = 0; c < cols; c++) {
      store<f32>(at(dp, c), -it * ip * (load<f32>(at(t, c)) - w * load<f32>(at(p, c))) * inv);
    }
  }
  return loss;
}

/** 100·mean(|t − p| / max(|t|, ε)); d/dp = 100·sign(p − t)/max(|t|, ε). */
export function meanAbsolutePercentageError(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 100 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const t = load<f32>(at(T, i));
    const e = load<f32>(at(P, i)) - t;
    const d = Mathf.max(Mathf.abs(t), EPS);
    loss += <f64>(Mathf.abs(e) / d);
    store<f32>(at(dP, i), e > 0 ? g / d : e < 0 ? -g / d : 0);
  }
  return 100 * loss / <f64>cols;
}

/** mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))²); d/dp = 2·diff/(p + 1) where p > ε, else 0. */
export function meanSquaredLogarithmicError(dP: usize, P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  const g: f32 = 2 / <f32>n;
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = load<f32>(at(P, i));
    const pc = Mathf.max(p, EPS);
    const e: f32 = Mathf.log1p(pc) - Mathf.log1p(Mathf.max(load<f32>(at(T, i)), EPS));
    loss += <f64>(e * e);
    store<f32>(at(dP, i), p >= EPS ? e / (1 + p) * g : 0);
  }
  return loss / <f64>cols;
}
