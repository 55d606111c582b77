// Metrics as counts over a batch; the caller divides by the number of samples.

function argmax(p: usize, cols: i32): i32 {
  let best = 0;
  let m = load<f32>(p);
  for (let c = 1; c < cols; c++) {
    const v = load<f32>(p + (<usize>c << 2));
    if (v > m) { m = v; best = c; }
  }
  return best;
}

export function sparseCategoricalAccuracy(P: usize, labels: usize, rows: i32, cols: i32): f64 {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    if (argmax(P + (<usize>r * <usize>cols << 2), cols) == load<i32>(labels + (<usize>r << 2))) hits++;
  }
  return <f64>hits;
}

export function categoricalAccuracy(P: usize, T: usize, rows: i32, cols: i32): f64 {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols << 2;
    if (argmax(P + o, cols) == argmax(T + o, cols)) hits++;
  }
  return <f64>hits;
}

export function binaryAccuracy(P: usize, T: usize, rows: i32, cols: i32, threshold: f32): f64 {
  let hits = 0;
  const n = rows * cols;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    if ((load<f32>(P + o) > threshold) == (load<f32>(T + o) > 0.5)) hits++;
  }
  return <f64>hits / <f64>cols;
}

/** 1 + the number of entries of the row strictly above entry `label` (ties count for the label, as Keras's in_top_k). */
function rankOf(p: usize, cols: i32, label: i32): i32 {
  const v = load<f32>(p + (<usize>label << 2));
  let rank = 1;
  for (let c = 0; c < cols; c++) if (load<f32>(p + (<usize>c << 2)) > v) rank++;
  return rank;
}

/** Number of rows whose argmax of T ranks among the k largest of P. */
export function topKCategoricalAccuracy(P: usize, T: usize, rows: i32, cols: i32, k: i32): f64 {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * <usize>cols << 2;
    if (rankOf(P + o, cols, argmax(T + o, cols)) <= k) hits++;
  }
  return <f64>hits;
}

/** Number of rows whose int32 label ranks among the k largest of P. */
export function sparseTopKCategoricalAccuracy(P: usize, labels: usize, rows: i32, cols: i32, k: i32): f64 {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    if (rankOf(P + (<usize>r * <usize>cols << 2), cols, load<i32>(labels + (<usize>r << 2))) <= k) hits++;
  }
  return <f64>hits;
}

/** Σ over rows of the row's mean |P − T| (the metric twin of meanAbsoluteError, without a gradient). */
export function meanAbsoluteErrorSum(P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    s += <f64>Mathf.abs(load<f32>(P + o) - load<f32>(T + o));
  }
  return s / <f64>cols;
}

/** Σ over rows of the row's mean (P − T)². */
export function meanSquaredErrorSum(P: usize, T: usize, rows: i32, cols: i32): f64 {
  const n = rows * cols;
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const e = load<f32>(P + o) - load<f32>(T + o);
    s += <f64>(e * e);
  }
  return s / <f64>cols;
}

/**
 * counts (4) = true positives, false positives, false negatives, true negatives over n entries:
 * predicted positive when P > threshold, labelled positive when T ≠ 0 (Keras casts labels to bool).
 */
export function confusionCounts(counts: usize, P: usize, T: usize, n: i32, threshold: f32): void {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const pos = load<f32>(P + o) > threshold, label = load<f32>(T + o) != 0;
    if (pos) { if (label) tp++; else fp++; } else { if (label) fn++; else tn++; }
  }
  store<f32>(counts, <f32>tp);
  store<f32>(counts, <f32>fp, 4);
  store<f32>(counts, <f32>fn, 8);
  store<f32>(counts, <f32>tn, 12);
}

/**
 * counts (2, buckets): how many positives (T ≠ 0), then negatives, fall in each bucket
 * max(ceil(clip(P, 0, 1)·(buckets − 1)) − 1, 0) — Keras's shortcut for evenly spaced thresholds
 * (−ε, 1/(buckets−1), …, 1 + ε): the positives above threshold i are the sum of buckets ≥ i.
 */
export function thresholdHistogram(counts: usize, P: usize, T: usize, n: i32, buckets: i32): void {
  for (let b = 0; b < 2 * buckets; b++) store<f32>(counts + (<usize>b << 2), 0);
  const scale = <f32>(buckets - 1);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const p = Mathf.min(Mathf.max(load<f32>(P + o), 0), 1);
    const b = <i32>Mathf.max(Mathf.ceil(p * scale) - 1, 0);
    const at = counts + (<usize>(load<f32>(T + o) != 0 ? b : buckets + b) << 2);
    store<f32>(at, load<f32>(at) + 1);
  }
}
