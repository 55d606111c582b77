// Recurrent kernels, reference twins of assembly/kernels/recurrent.ts: the same loops with exact
// Math.exp/Math.tanh (the wasm core uses a ~1 ulp polynomial exp).
import type { Heap } from './heap.js';
import { Act } from '../backend.js';
import { activate } from './scalar.js';

/** f'(x) from y = f(x), for the gate activations. */
function dact(y: number, act: Act): number {
  switch (act) {
    case Act.sigmoid: return y * (1 - y);
    case Act.tanh: return 1 - y * y;
    case Act.relu: return y > 0 ? 1 : 0;
    case Act.hardSigmoid: return y > 0 && y < 1 ? 1 / 6 : 0;
    case Act.softsign: { const d = 1 - Math.abs(y); return d * d; }
    default: return 1;
  }
}

export function seqToTimeMajor(h: Heap, Y: number, X: number, batch: number, time: number, n: number, reverse: number): void {
  const f = h.f;
  for (let t = 0; t < time; t++) {
    const s = reverse ? time - 1 - t : t;
    for (let b = 0; b < batch; b++) {
      const y = (Y >> 2) + (t * batch + b) * n, x = (X >> 2) + (b * time + s) * n;
      for (let i = 0; i < n; i++) f[y + i] = f[x + i];
    }
  }
}

export function seqFromTimeMajor(h: Heap, Y: number, X: number, batch: number, time: number, n: number, reverse: number, accumulate: number): void {
  const f = h.f;
  for (let t = 0; t < time; t++) {
    const s = reverse ? time - 1 - t : t;
    for (let b = 0; b < batch; b++) {
      const y = (Y >> 2) + (b * time + s) * n, x = (X >> 2) + (t * batch + b) * n;
      for (let i = 0; i < n; i++) f[y + i] = accumulate ? f[y + i] + f[x + i] : f[x + i];
    }
  }
}

export function broadcastMul(h: Heap, Y: number, M: number, rows: number, cols: number): void {
  const f = h.f, m = M >> 2;
  for (let r = 0; r < rows; r++) {
    const y = (Y >> 2) + r * cols;
    for (let c = 0; c < cols; c++) f[y + c] *= f[m + c];
  }
}

export function rnnStepForward(h: Heap, H: number, Z: number, n: number, act: Act): void {
  const f = h.f, hh = H >> 2, z = Z >> 2;
  for (let i = 0; i < n; i++) f[hh + i] = activate(f[z + i], act, 0);
}

export function rnnStepBackward(h: Heap, dZ: number, dH: number, H: number, n: number, act: Act): void {
  const f = h.f, dz = dZ >> 2, dh = dH >> 2, hh = H >> 2;
  for (let i = 0; i < n; i++) f[dz + i] = f[dh + i] * dact(f[hh + i], act);
}

export function lstmStepForward(h: Heap, G: number, C: number, H: number, Z: number, Cprev: number,
  batch: number, units: number, act: Act, recAct: Act): void {
  const f = h.f, u = units;
  for (let b = 0; b < batch; b++) {
    const z = (Z >> 2) + b * 4 * u, g = (G >> 2) + b * 4 * u;
    const cp = (Cprev >> 2) + b * u, c = (C >> 2) + b * u, hh = (H >> 2) + b * u;
    for (let j = 0; j < u; j++) {
      const i = activate(f[z + j], recAct, 0), fg = activate(f[z + u + j], recAct, 0);
      const cand = activate(f[z + 2 * u + j], act, 0), o = activate(f[z + 3 * u + j], recAct, 0);
      const cv = fg * f[cp + j] + i * cand;
      f[g + j] = i; f[g + u + j] = fg; f[g + 2 * u + j] = cand; f[g + 3 * u + j] = o;
      f[c + j] = cv;
      f[hh + j] = o * activate(cv, act, 0);
    }
  }
}

export function lstmStepBackward(h: Heap, dZ: number, dC: number, G: number, C: number, Cprev: number, dH: number,
  batch: number, units: number, act: Act, recAct: Act): void {
  const f = h.f, u = units;
  for (let b = 0; b < batch; b++) {
    const g = (G >> 2) + b * 4 * u, dz = (dZ >> 2) + b * 4 * u;
    const c = (C >> 2) + b * u, cp = (Cprev >> 2) + b * u, dh = (dH >> 2) + b * u, dc = (dC >> 2) + b * u;
    for (let j = 0; j < u; j++) {
      const i = f[g + j], fg = f[g + u + j], cand = f[g + 2 * u + j], o = f[g + 3 * u + j];
      const dhv = f[dh + j];
      const a = activate(f[c + j], act, 0);
      const dcv = f[dc + j] + dhv * o * dact(a, act);
      f[dz + j] = dcv * cand * dact(i, recAct);
      f[dz + u + j] = dcv * f[cp + j] * dact(fg, recAct);
      f[dz + 2 * u + j] = dcv * i * dact(cand, act);
      f[dz + 3 * u + j] = dhv * a * dact(o, recAct);
      f[dc + j] = dcv * fg;
    }
  }
}

export function gruStepForward(h: Heap, G: number, RH: number, H: number, Z: number, RZ: number, Hprev: number, recBias: number,
  batch: number, units: number, act: Act, recAct: Act): void {
  const f = h.f, u = units, rb = recBias >> 2;
  for (let b = 0; b < batch; b++) {
    const z = (Z >> 2) + b * 3 * u, g = (G >> 2) + b * 3 * u, rz = (RZ >> 2) + b * 3 * u;
    const rh = (RH >> 2) + b * u, hp = (Hprev >> 2) + b * u, hh = (H >> 2) + b * u;
    for (let j = 0; j < u; j++) {
      const bz = recBias ? f[rb + j] : 0, br = recBias ? f[rb + u + j] : 0, bh = recBias ? f[rb + 2 * u + j] : 0;
      const zg = activate(f[z + j] + f[rz + j] + bz, recAct, 0);
      const r = activate(f[z + u + j] + f[rz + u + j] + br, recAct, 0);
      const rhv = f[rz + 2 * u + j] + bh;
      const cand = activate(f[z + 2 * u + j] + r * rhv, act, 0);
      f[g + j] = zg; f[g + u + j] = r; f[g + 2 * u + j] = cand;
      f[rh + j] = rhv;
      f[hh + j] = cand + zg * (f[hp + j] - cand);
    }
  }
}

export function gruStepBackward(h: Heap, dZ: number, dRZ: number, dHprev: number, G: number, RH: number, Hprev: number, dH: number,
  batch: number, units: number, act: Act, recAct: Act): void {
  const f = h.f, u = units;
  for (let b = 0; b < batch; b++) {
    const g = (G >> 2) + b * 3 * u, dz = (dZ >> 2) + b * 3 * u, drz = (dRZ >> 2) + b * 3 * u;
    const rh = (RH >> 2) + b * u, hp = (Hprev >> 2) + b * u, dh = (dH >> 2) + b * u, dhp = (dHprev >> 2) + b * u;
    for (let j = 0; j < u; j++) {
      const zg = f[g + j], r = f[g + u + j], cand = f[g + 2 * u + j];
      const dhv = f[dh + j];
      const dhh = dhv * (1 - zg) * dact(cand, act);
      const dzz = dhv * (f[hp + j] - cand) * dact(zg, recAct);
      const dzr = dhh * f[rh + j] * dact(r, recAct);
      f[dz + j] = dzz; f[dz + u + j] = dzr; f[dz + 2 * u + j] = dhh;
      f[drz + j] = dzz; f[drz + u + j] = dzr; f[drz + 2 * u + j] = dhh * r;
      f[dhp + j] += dhv * zg;
    }
  }
}

export function embeddingForward(h: Heap, Y: number, E: number, ids: number, n: number, dim: number, inputDim: number): number {
  const f = h.f, y = Y >> 2, e = E >> 2, p = ids >> 2;
  // The wasm core compares the id as a float32 against inputDim rounded to float32: do the same.
  const limit = Math.fround(inputDim);
  for (let i = 0; i < n; i++) {
    const v = f[p + i];
    if (!(v >= 0 && v < limit && v === Math.floor(v))) return i;
    for (let k = 0; k < dim; k++) f[y + i * dim + k] = f[e + v * dim + k];
  }
  return -1;
}

export function embeddingBackward(h: Heap, dE: number, dY: number, ids: number, n: number, dim: number): void {
  const f = h.f, de = dE >> 2, dy = dY >> 2, p = ids >> 2;
  for (let i = 0; i < n; i++) {
    const id = f[p + i];
    for (let k = 0; k < dim; k++) f[de + id * dim + k] += f[dy + i * dim + k];
  }
}
