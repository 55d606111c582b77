// Optimizer updates over flat buffers of n floats (Keras 3 update rules, written beside each).
// W: weights, G: gradients, the rest: optimizer state, all the same length.
import { madd } from '../simd';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/**
 * momentum = 0: w −= lr·g.
 * else: v = momentum·v − lr·g; w += nesterov ? momentum·v − lr·g : v.
 */
export function sgdUpdate(W: usize, V: usize, G: usize, n: i32, lr: f32, momentum: f32, nesterov: i32): void {
  let i = 0;
  const vlr = f32x4.splat(-lr);
  if (momentum == 0) {
    for (; i + 4 <= n; i += 4) v128.store(at(W, i), madd(v128.load(at(G, i)), vlr, v128.load(at(W, i))));
    for (; i < n; i++) store<f32>(at(W, i), load<f32>(at(W, i)) - lr * load<f32>(at(G, i)));
    return;
  }
  for (; i < n; i++) {
    const g = load<f32>(at(G, i));
    const v = momentum * load<f32>(at(V, i)) - lr * g;
    store<f32>(at(V, i), v);
    store<f32>(at(W, i), load<f32>(at(W, i)) + (nesterov ? momentum * v - lr * g : v));
  }
}

/**
 * m += (g − m)(1 − β1); v += (g² − v)(1 − β2); amsgrad: vhat = max(vhat, v), used for v;
 * w −= alpha·m / (√v + ε), alpha = lr·√(1 − β2ᵗ)/(1 − β1ᵗ) from the caller.
 * β1 and β2 arrive as f64 so that 1 − β is formed before rounding to f32, as Keras does: from
 * the f32 0.999, 1 − β2 would be 0.00099998713, 1.3e-5 away from 0.001.
 */
export function adamUpdate(W: usize, M: usize, V: usize, Vhat: usize, G: usize, n: i32,
  alpha: f32, beta1: f64, beta2: f64, epsilon: f32, amsgrad: i32): void {
  const c1 = <f32>(1 - beta1), c2 = <f32>(1 - beta2);
  let i = 0;
  if (!amsgrad) {
    const b1 = f32x4.splat(c1), b2 = f32x4.splat(c2);
    const va = f32x4.splat(alpha), ve = f32x4.splat(epsilon);
    for (; i + 4 <= n; i += 4) {
      const g = v128.load(at(G, i));
      const m = madd(f32x4.sub(g, v128.load(at(M, i))), b1, v128.load(at(M, i)));
      const v = madd(f32x4.sub(f32x4.mul(g, g), v128.load(at(V, i))), b2, v128.load(at(V, i)));
      v128.store(at(M, i), m);
      v128.store(at(V, i), v);
      const step = f32x4.div(f32x4.mul(m, va), f32x4.add(f32x4.sqrt(v), ve));
      v128.store(at(W, i), f32x4.sub(v128.load(at(W, i)), step));
    }
  }
  for (; i < n; i++) {
    const g = load<f32>(at(G, i));
    const m = load<f32>(at(M, i)) + (g - load<f32>(at(M, i))) * c1;
    const v = load<f32>(at(V, i)) + (g * g - load<f32>(at(V, i))) * c2;
    store<f32>(at(M, i), m);
    store<f32>(at(V, i), v);
    let vu = v;
    if (amsgrad) {
      vu = Mathf.max(load<f32>(at(Vhat, i)), v);
      store<f32>(at(Vhat, i), vu);
    }
    store<f32>(at(W, i), load<f32>(at(W, i)) - m * alpha / (Mathf.sqrt(vu) + epsilon));
  }
}

/**
 * v = ρv + (1−ρ)g²; centered: a = ρa + (1−ρ)g, d = v − a², else d = v;
 * inc = lr·g/√(d + ε); momentum > 0: mo = momentum·mo + inc, w −= mo; else w −= inc.
 * ρ arrives as f64 so that 1 − ρ is formed before rounding to f32 (see adamUpdate).
 */
export function rmspropUpdate(W: usize, V: usize, A: usize, Mo: usize, G: usize, n: i32,
  lr: f32, rho: f64, momentum: f32, epsilon: f32, centered: i32): void {
  const r = <f32>rho, c = <f32>(1 - rho);
  for (let i = 0; i < n; i++) {
    const g = load<f32>(at(G, i));
    const v = r * load<f32>(at(V, i)) + c * g * g;
    store<f32>(at(V, i), v);
    let d = v;
    if (centered) {
      const a = r * load<f32>(at(A, i)) + c * g;
      store<f32>(at(A, i), a);
      d = v - a * a;
    }
    let inc = lr * g / Mathf.sqrt(d + epsilon);
    if (momentum > 0) {
      inc = momentum * load<f32>(at(Mo, i)) + inc;
      store<f32>(at(Mo, i), inc);
    }
    store<f32>(at(W, i), load<f32>(at(W, i)) - inc);
  }
}

/** acc += g²; w −= lr·g/√(acc + ε). */
export function adagradUpdate(W: usize, Acc: usize, G: usize, n: i32, lr: f32, epsilon: f32): void {
  for (let i = 0; i < n; i++) {
    const g = load<f32>(at(G, i));
    const a = load<f32>(at(Acc, i)) + g * g;
    store<f32>(at(Acc, i), a);
    store<f32>(at(W, i), load<f32>(at(W, i)) - lr * g / Mathf.sqrt(a + epsilon));
  }
}
