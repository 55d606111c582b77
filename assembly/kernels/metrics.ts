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
