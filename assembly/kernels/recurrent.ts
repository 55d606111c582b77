// Recurrent layers: the per-step gate math of SimpleRNN, LSTM and GRU as fused SIMD kernels,
// the time-major <-> batch-major transposes around them, a broadcast multiply for the
// per-sequence dropout masks, and the embedding gather/scatter.
//
// The layers keep their per-step state time-major, (time, batch, ·), so that step t is one
// contiguous (batch, ·) matrix: the recurrent product h_{t-1}·U is one gemm straight into it.
//
// Gate activations are restricted to those whose derivative is a function of the output
// (linear, relu, sigmoid, hardSigmoid, tanh, softsign): the backward kernels read only the
// activated gates, so the forward pass overwrites the pre-activations in place.
//
// sigmoid and tanh are computed four lanes at a time with a polynomial exp (Cephes expf,
// ~1 ulp) rather than the scalar Mathf.exp: with 64 units a scalar exp costs more per step than
// the step's GEMM. Scalar tails run the same four-lane code on a splat, so an element's value
// does not depend on where it falls in a row.
import { madd } from '../simd';

const LINEAR = 0, RELU = 1, SIGMOID = 6, HARD_SIGMOID = 7, TANH = 8, SOFTSIGN = 10;

// ---- four-lane transcendental helpers ---------------------------------------------------------

/** eˣ on four lanes: x = n·ln2 + r, eʳ by a degree-6 polynomial, 2ⁿ through the exponent bits. */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  // Clamped so 2ⁿ stays a normal float: exp(−87.3) ≈ 1.2e−38, exp(88) ≈ 1.7e38.
  // pmin/pmax: one instruction each (min/max carry NaN and −0 fix-ups); a NaN x stays NaN.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3)), f32x4.splat(88.0));
  const fx = f32x4.floor(madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(0.5)));
  // r = x − n·ln2 with ln2 split in two (Cody–Waite) so the subtraction is exact.
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = madd(y, x, f32x4.splat(1.3981999507e-3));
  y = madd(y, x, f32x4.splat(8.3334519073e-3));
  y = madd(y, x, f32x4.splat(4.1665795894e-2));
  y = madd(y, x, f32x4.splat(1.6666665459e-1));
  y = madd(y, x, f32x4.splat(5.0000001201e-1));
  y = f32x4.add(madd(y, z, x), f32x4.splat(1));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const pow2n = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

/** 1/(1 + e⁻ˣ). */
// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/**
 * tanh: an odd polynomial below |x| = 0.625 (Cephes tanhf, keeps full relative precision near 0),
 * 1 − 2/(e^{2|x|} + 1) with the sign restored above.
 */
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const one = f32x4.splat(1);
  const big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(a, a)), one)));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(0.625)));
}

/** f(x) for the supported gate activations. */
// @ts-ignore: decorator
@inline function act4(x: v128, act: i32): v128 {
  if (act == SIGMOID) return sigmoid4(x);
  if (act == TANH) return tanh4(x);
  if (act == RELU) return f32x4.max(x, f32x4.splat(0));
  if (act == HARD_SIGMOID) return f32x4.min(f32x4.max(madd(x, f32x4.splat(<f32>1 / 6), f32x4.splat(0.5)), f32x4.splat(0)), f32x4.splat(1));
  if (act == SOFTSIGN) return f32x4.div(x, f32x4.add(f32x4.splat(1), f32x4.abs(x)));
  return x;
}

/** f'(x) from y = f(x). */
// @ts-ignore: decorator
@inline function dact4(y: v128, act: i32): v128 {
  const one = f32x4.splat(1);
  if (act == SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  if (act == TANH) return f32x4.sub(one, f32x4.mul(y, y));
  if (act == RELU) return v128.and(f32x4.gt(y, f32x4.splat(0)), one);
  if (act == HARD_SIGMOID) return v128.and(v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, one)), f32x4.splat(<f32>1 / 6));
  if (act == SOFTSIGN) { const d = f32x4.sub(one, f32x4.abs(y)); return f32x4.mul(d, d); }
  return one;
}

// @ts-ignore: decorator
@inline function ld1(p: usize): v128 { return f32x4.splat(load<f32>(p)); }
// @ts-ignore: decorator
@inline function st1(p: usize, v: v128): void { store<f32>(p, f32x4.extract_lane(v, 0)); }

// ---- layout ---------------------------------------------------------------------------------

/**
 * Y (time, batch, n)[t, b] = X (batch, time, n)[b, reverse ? time−1−t : t].
 */
export function seqToTimeMajor(Y: usize, X: usize, batch: i32, time: i32, n: i32, reverse: i32): void {
  const row = <usize>n << 2;
  for (let t = 0; t < time; t++) {
    const s = reverse ? time - 1 - t : t;
    for (let b = 0; b < batch; b++) {
      memory.copy(Y + (<usize>(t * batch + b)) * row, X + (<usize>(b * time + s)) * row, row);
    }
  }
}

/**
 * Y (batch, time, n)[b, reverse ? time−1−t : t] = X (time, batch, n)[t, b], or += when accumulate.
 */
export function seqFromTimeMajor(Y: usize, X: usize, batch: i32, time: i32, n: i32, reverse: i32, accumulate: i32): void {
  const row = <usize>n << 2;
  for (let t = 0; t < time; t++) {
    const s = reverse ? time - 1 - t : t;
    for (let b = 0; b < batch; b++) {
      const y = Y + (<usize>(b * time + s)) * row, x = X + (<usize>(t * batch + b)) * row;
      if (!accumulate) { memory.copy(y, x, row); continue; }
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o)));
      }
      for (; i < n; i++) {
        const o = <usize>i << 2;
        store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o));
      }
    }
  }
}

/** Y (rows, cols)[r, c] *= M (cols)[c]: a per-sequence dropout mask applied at every step. */
export function broadcastMul(Y: usize, M: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const y = Y + (<usize>r * <usize>cols << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, f32x4.mul(v128.load(y + o), v128.load(M + o)));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, load<f32>(y + o) * load<f32>(M + o));
    }
  }
}

// ---- SimpleRNN ------------------------------------------------------------------------------

/** H = f(Z) over n elements (one step: n = batch·units); H may alias Z. */
export function rnnStepForward(H: usize, Z: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(H + o, act4(v128.load(Z + o), act));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st1(H + o, act4(ld1(Z + o), act));
  }
}

/** dZ = dH · f'(z), from H = f(Z); overwrites dZ. */
export function rnnStepBackward(dZ: usize, dH: usize, H: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dZ + o, f32x4.mul(v128.load(dH + o), dact4(v128.load(H + o), act)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st1(dZ + o, f32x4.mul(ld1(dH + o), dact4(ld1(H + o), act)));
  }
}

// ---- LSTM: gates i, f, c (candidate, called g below), o in Keras order -----------------------

/**
 * One LSTM step. Z, G (batch, 4u): pre-activations [i f g o] in, activated gates out (G may
 * alias Z); Cprev, C, H (batch, u):
 *   i = σ(z_i), f = σ(z_f), g = act(z_g), o = σ(z_o); c = f·c_prev + i·g; h = o·act(c).
 */
export function lstmStepForward(G: usize, C: usize, H: usize, Z: usize, Cprev: usize,
  batch: i32, units: i32, act: i32, recAct: i32): void {
  const ub = <usize>units << 2;
  for (let b = 0; b < batch; b++) {
    const z = Z + (<usize>b * ub << 2), g = G + (<usize>b * ub << 2);
    const cp = Cprev + <usize>b * ub, c = C + <usize>b * ub, h = H + <usize>b * ub;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const o = <usize>j << 2;
      const vi = act4(v128.load(z + o), recAct);
      const vf = act4(v128.load(z + ub + o), recAct);
      const vg = act4(v128.load(z + 2 * ub + o), act);
      const vo = act4(v128.load(z + 3 * ub + o), recAct);
      const vc = madd(vf, v128.load(cp + o), f32x4.mul(vi, vg));
      v128.store(g + o, vi); v128.store(g + ub + o, vf); v128.store(g + 2 * ub + o, vg); v128.store(g + 3 * ub + o, vo);
      v128.store(c + o, vc);
      v128.store(h + o, f32x4.mul(vo, act4(vc, act)));
    }
    for (; j < units; j++) {
      const o = <usize>j << 2;
      const vi = act4(ld1(z + o), recAct);
      const vf = act4(ld1(z + ub + o), recAct);
      const vg = act4(ld1(z + 2 * ub + o), act);
      const vo = act4(ld1(z + 3 * ub + o), recAct);
      const vc = madd(vf, ld1(cp + o), f32x4.mul(vi, vg));
      st1(g + o, vi); st1(g + ub + o, vf); st1(g + 2 * ub + o, vg); st1(g + 3 * ub + o, vo);
      st1(c + o, vc);
      st1(h + o, f32x4.mul(vo, act4(vc, act)));
    }
  }
}

/**
 * Backward through one LSTM step. dH (batch, u): dL/dh_t (all paths); dC (batch, u): dL/dc_t
 * from step t+1 in, dL/dc_{t−1} out (in place). With a = act(c) recomputed:
 *   dc = dC + dh·o·act'(a); dz_i = dc·g·σ'(i); dz_f = dc·c_prev·σ'(f); dz_g = dc·i·act'(g);
 *   dz_o = dh·a·σ'(o); dC ← dc·f. dZ (batch, 4u) is overwritten.
 */
export function lstmStepBackward(dZ: usize, dC: usize, G: usize, C: usize, Cprev: usize, dH: usize,
  batch: i32, units: i32, act: i32, recAct: i32): void {
  const ub = <usize>units << 2;
  for (let b = 0; b < batch; b++) {
    const g = G + (<usize>b * ub << 2), dz = dZ + (<usize>b * ub << 2);
    const row = <usize>b * ub;
    const c = C + row, cp = Cprev + row, dh = dH + row, dc = dC + row;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const o = <usize>j << 2;
      const vi = v128.load(g + o), vf = v128.load(g + ub + o), vg = v128.load(g + 2 * ub + o), vo = v128.load(g + 3 * ub + o);
      const vh = v128.load(dh + o);
      const a = act4(v128.load(c + o), act);
      const vdc = madd(f32x4.mul(vh, vo), dact4(a, act), v128.load(dc + o));
      v128.store(dz + o, f32x4.mul(f32x4.mul(vdc, vg), dact4(vi, recAct)));
      v128.store(dz + ub + o, f32x4.mul(f32x4.mul(vdc, v128.load(cp + o)), dact4(vf, recAct)));
      v128.store(dz + 2 * ub + o, f32x4.mul(f32x4.mul(vdc, vi), dact4(vg, act)));
      v128.store(dz + 3 * ub + o, f32x4.mul(f32x4.mul(vh, a), dact4(vo, recAct)));
      v128.store(dc + o, f32x4.mul(vdc, vf));
    }
    for (; j < units; j++) {
      const o = <usize>j << 2;
      const vi = ld1(g + o), vf = ld1(g + ub + o), vg = ld1(g + 2 * ub + o), vo = ld1(g + 3 * ub + o);
      const vh = ld1(dh + o);
      const a = act4(ld1(c + o), act);
      const vdc = madd(f32x4.mul(vh, vo), dact4(a, act), ld1(dc + o));
      st1(dz + o, f32x4.mul(f32x4.mul(vdc, vg), dact4(vi, recAct)));
      st1(dz + ub + o, f32x4.mul(f32x4.mul(vdc, ld1(cp + o)), dact4(vf, recAct)));
      st1(dz + 2 * ub + o, f32x4.mul(f32x4.mul(vdc, vi), dact4(vg, act)));
      st1(dz + 3 * ub + o, f32x4.mul(f32x4.mul(vh, a), dact4(vo, recAct)));
      st1(dc + o, f32x4.mul(vdc, vf));
    }
  }
}

// ---- GRU (Keras 3, reset_after = true): gates z, r, h ----------------------------------------

/**
 * One GRU step. Z (batch, 3u): x·W + b_input in, activated [z r hh] out in G (may alias Z);
 * RZ (batch, 3u): h_{t−1}·U; recBias (3u) or 0; RH, Hprev, H (batch, u):
 *   z = σ(x_z + r_z + b_z), r = σ(x_r + r_r + b_r), rh = r_h + b_h (saved in RH),
 *   hh = act(x_h + r·rh), h = z·h_prev + (1 − z)·hh.
 */
export function gruStepForward(G: usize, RH: usize, H: usize, Z: usize, RZ: usize, Hprev: usize, recBias: usize,
  batch: i32, units: i32, act: i32, recAct: i32): void {
  const ub = <usize>units << 2;
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const z = Z + (<usize>b * ub * 3), g = G + (<usize>b * ub * 3), rz = RZ + (<usize>b * ub * 3);
    const row = <usize>b * ub;
    const rh = RH + row, hp = Hprev + row, h = H + row;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const o = <usize>j << 2;
      const bz = recBias ? v128.load(recBias + o) : zero, br = recBias ? v128.load(recBias + ub + o) : zero;
      const bh = recBias ? v128.load(recBias + 2 * ub + o) : zero;
      const vz = act4(f32x4.add(f32x4.add(v128.load(z + o), v128.load(rz + o)), bz), recAct);
      const vr = act4(f32x4.add(f32x4.add(v128.load(z + ub + o), v128.load(rz + ub + o)), br), recAct);
      const vrh = f32x4.add(v128.load(rz + 2 * ub + o), bh);
      const vhh = act4(madd(vr, vrh, v128.load(z + 2 * ub + o)), act);
      v128.store(g + o, vz); v128.store(g + ub + o, vr); v128.store(g + 2 * ub + o, vhh);
      v128.store(rh + o, vrh);
      v128.store(h + o, madd(vz, f32x4.sub(v128.load(hp + o), vhh), vhh));
    }
    for (; j < units; j++) {
      const o = <usize>j << 2;
      const bz = recBias ? ld1(recBias + o) : zero, br = recBias ? ld1(recBias + ub + o) : zero;
      const bh = recBias ? ld1(recBias + 2 * ub + o) : zero;
      const vz = act4(f32x4.add(f32x4.add(ld1(z + o), ld1(rz + o)), bz), recAct);
      const vr = act4(f32x4.add(f32x4.add(ld1(z + ub + o), ld1(rz + ub + o)), br), recAct);
      const vrh = f32x4.add(ld1(rz + 2 * ub + o), bh);
      const vhh = act4(madd(vr, vrh, ld1(z + 2 * ub + o)), act);
      st1(g + o, vz); st1(g + ub + o, vr); st1(g + 2 * ub + o, vhh);
      st1(rh + o, vrh);
      st1(h + o, madd(vz, f32x4.sub(ld1(hp + o), vhh), vhh));
    }
  }
}

/**
 * Backward through one GRU step. dH (batch, u): dL/dh_t. Writes dZ (batch, 3u), the gradient of
 * the input projection [dz_z dz_r dz_h], and dRZ (batch, 3u), of the recurrent product (the
 * caller adds dRZ·Uᵀ into dL/dh_{t−1}); accumulates the direct path dh·z into dHprev:
 *   dhh = dh·(1 − z)·act'(hh); dz_z = dh·(h_prev − hh)·σ'(z); dz_r = dhh·rh·σ'(r);
 *   dZ = [dz_z, dz_r, dhh], dRZ = [dz_z, dz_r, dhh·r].
 */
export function gruStepBackward(dZ: usize, dRZ: usize, dHprev: usize, G: usize, RH: usize, Hprev: usize, dH: usize,
  batch: i32, units: i32, act: i32, recAct: i32): void {
  const ub = <usize>units << 2;
  const one = f32x4.splat(1);
  for (let b = 0; b < batch; b++) {
    const g = G + (<usize>b * ub * 3), dz = dZ + (<usize>b * ub * 3), drz = dRZ + (<usize>b * ub * 3);
    const row = <usize>b * ub;
    const rh = RH + row, hp = Hprev + row, dh = dH + row, dhp = dHprev + row;
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const o = <usize>j << 2;
      const vz = v128.load(g + o), vr = v128.load(g + ub + o), vhh = v128.load(g + 2 * ub + o);
      const vdh = v128.load(dh + o);
      const dhh = f32x4.mul(f32x4.mul(vdh, f32x4.sub(one, vz)), dact4(vhh, act));
      const dzz = f32x4.mul(f32x4.mul(vdh, f32x4.sub(v128.load(hp + o), vhh)), dact4(vz, recAct));
      const dzr = f32x4.mul(f32x4.mul(dhh, v128.load(rh + o)), dact4(vr, recAct));
      v128.store(dz + o, dzz); v128.store(dz + ub + o, dzr); v128.store(dz + 2 * ub + o, dhh);
      v128.store(drz + o, dzz); v128.store(drz + ub + o, dzr); v128.store(drz + 2 * ub + o, f32x4.mul(dhh, vr));
      v128.store(dhp + o, madd(vdh, vz, v128.load(dhp + o)));
    }
    for (; j < units; j++) {
      const o = <usize>j << 2;
      const vz = ld1(g + o), vr = ld1(g + ub + o), vhh = ld1(g + 2 * ub + o);
      const vdh = ld1(dh + o);
      const dhh = f32x4.mul(f32x4.mul(vdh, f32x4.sub(one, vz)), dact4(vhh, act));
      const dzz = f32x4.mul(f32x4.mul(vdh, f32x4.sub(ld1(hp + o), vhh)), dact4(vz, recAct));
      const dzr = f32x4.mul(f32x4.mul(dhh, ld1(rh + o)), dact4(vr, recAct));
      st1(dz + o, dzz); st1(dz + ub + o, dzr); st1(dz + 2 * ub + o, dhh);
      st1(drz + o, dzz); st1(drz + ub + o, dzr); st1(drz + 2 * ub + o, f32x4.mul(dhh, vr));
      st1(dhp + o, madd(vdh, vz, ld1(dhp + o)));
    }
  }
}

// ---- Embedding ------------------------------------------------------------------------------

/**
 * Y (n, dim)[i] = E (inputDim, dim)[ids[i]], ids given as floats. Returns −1, or the position of
 * the first id that is not an integer in [0, inputDim) (Y is then partly written).
 */
export function embeddingForward(Y: usize, E: usize, ids: usize, n: i32, dim: i32, inputDim: i32): i32 {
  const row = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(ids + (<usize>i << 2));
    // NaN fails every comparison.
    if (!(v >= 0 && v < <f32>inputDim && v == Mathf.floor(v))) return i;
    memory.copy(Y + <usize>i * row, E + <usize><i32>v * row, row);
  }
  return -1;
}

/** dE[ids[i]] += dY (n, dim)[i]; the ids were checked by the forward pass. */
export function embeddingBackward(dE: usize, dY: usize, ids: usize, n: i32, dim: i32): void {
  const row = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const e = dE + <usize><i32>load<f32>(ids + (<usize>i << 2)) * row, y = dY + <usize>i * row;
    let k = 0;
    for (; k + 4 <= dim; k += 4) {
      const o = <usize>k << 2;
      v128.store(e + o, f32x4.add(v128.load(e + o), v128.load(y + o)));
    }
    for (; k < dim; k++) {
      const o = <usize>k << 2;
      store<f32>(e + o, load<f32>(e + o) + load<f32>(y + o));
    }
  }
}
