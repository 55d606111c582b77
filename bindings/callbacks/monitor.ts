/** Shared by the callbacks that watch a metric: Keras's 'auto' mode and improvement test. */
export type MonitorMode = 'auto' | 'min' | 'max';

/** 'auto' means 'max' for accuracy-like names, 'min' otherwise (as Keras). */
export function resolveMode(mode: MonitorMode, monitor: string, owner: string): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${owner}: mode must be 'auto', 'min' or 'max', got '${String(mode)}'`);
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall/i.test(monitor) ? 'max' : 'min';
}

/** current improves on reference by more than minDelta in the mode's direction. */
export function improves(mode: 'min' | 'max', current: number, reference: number, minDelta: number): boolean {
  return mode === 'min' ? current < reference - minDelta : current > reference + minDelta;
}

export function checkNonNegative(owner: string, arg: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${owner}: ${arg} must be a non-negative number, got ${v}`);
}
