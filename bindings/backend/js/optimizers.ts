// Optimizer updates, reference twins of assembly/kernels/optimizers.ts (rules written there).
import type { Heap } from './heap.js';

export function sgdUpdate(h: Heap, W: number, V: number, G: number, n: number, lr: number, momentum: number, nesterov: number): void {
  const f = h.f, w = W >> 2, v = V >> 2, g = G >> 2;
  for (let i = 0; i < n; i++) {
    if (momentum === 0) { f[w + i] -= lr * f[g + i]; continue; }
    const vi = momentum * f[v + i] - lr * f[g + i];
    f[v + i] = vi;
    f[w + i] += nesterov ? momentum * vi - lr * f[g + i] : vi;
  }
}

export function adamUpdate(h: Heap, W: number, M: number, V: number, Vhat: number, G: number, n: number,
  alpha: number, beta1: number, beta2: number, epsilon: number, amsgrad: number): void {
  const f = h.f, w = W >> 2, m = M >> 2, v = V >> 2, vh = Vhat >> 2, g = G >> 2;
  for (let i = 0; i < n; i++) {
    const gi = f[g + i];
    f[m + i] += (gi - f[m + i]) * (1 - beta1);
    f[v + i] += (gi * gi - f[v + i]) * (1 - beta2);
    let vu = f[v + i];
    if (amsgrad) { vu = Math.max(f[vh + i], vu); f[vh + i] = vu; }
    f[w + i] -= f[m + i] * alpha / (Math.sqrt(vu) + epsilon);
  }
}

export function rmspropUpdate(h: Heap, W: number, V: number, A: number, Mo: number, G: number, n: number,
  lr: number, rho: number, momentum: number, epsilon: number, centered: number): void {
  const f = h.f, w = W >> 2, v = V >> 2, a = A >> 2, mo = Mo >> 2, g = G >> 2;
  for (let i = 0; i < n; i++) {
    const gi = f[g + i];
    f[v + i] = rho * f[v + i] + (1 - rho) * gi * gi;
    let d = f[v + i];
    if (centered) { f[a + i] = rho * f[a + i] + (1 - rho) * gi; d -= f[a + i] * f[a + i]; }
    let inc = lr * gi / Math.sqrt(d + epsilon);
    if (momentum > 0) { inc = momentum * f[mo + i] + inc; f[mo + i] = inc; }
    f[w + i] -= inc;
  }
}

export function adagradUpdate(h: Heap, W: number, Acc: number, G: number, n: number, lr: number, epsilon: number): void {
  const f = h.f, w = W >> 2, acc = Acc >> 2, g = G >> 2;
  for (let i = 0; i < n; i++) {
    f[acc + i] += f[g + i] * f[g + i];
    f[w + i] -= lr * f[g + i] / Math.sqrt(f[acc + i] + epsilon);
  }
}
