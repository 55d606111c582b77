// Memory helpers over flat float buffers: fill, copy, add, scale.
import { madd } from '../simd';

/** X[i] = value. */
export function fill(X: usize, value: f32, n: i32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(X + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(X + (<usize>i << 2), value);
}

/** Y[i] = X[i]; the buffers do not overlap. */
export function copy(Y: usize, X: usize, n: i32): void {
  memory.copy(Y, X, <usize>n << 2);
}

/** Y[i] += X[i]. */
export function addInto(Y: usize, X: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(Y + o, f32x4.add(v128.load(Y + o), v128.load(X + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(Y + o, load<f32>(Y + o) + load<f32>(X + o));
  }
}

/** X[i] *= s. */
export function scale(X: usize, s: f32, n: i32): void {
  const v = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(X + o, f32x4.mul(v128.load(X + o), v));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(X + o, load<f32>(X + o) * s);
  }
}

/** Y[i] += a·X[i] (axpy). */
export function axpy(Y: usize, X: usize, n: i32, a: f32): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(Y + o, madd(v128.load(X + o), va, v128.load(Y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(Y + o, load<f32>(Y + o) + a * load<f32>(X + o));
  }
}
