/**
 * The playground's two charts beyond LineChart, drawn by hand on a canvas like it: the heat map
 * of per-layer gradient norms over time, and per-layer activation statistics. Hand-drawn because
 * neither is a stock chart type of the small libraries (uPlot draws lines and bars, not a
 * layers × time grid), and the heat map is one small image scaled up: a single draw call however
 * many reports have come in.
 */
import { fitWidth } from '../chart.js';

/** Viridis, sampled at 6 stops: dark blue (small) to yellow (large); perceptually even. */
const STOPS = [[68, 1, 84], [65, 68, 135], [42, 120, 142], [34, 168, 132], [122, 209, 81], [253, 231, 37]];
function rgb(t: number): number[] {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1), i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  return STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
}
const colour = (t: number) => `rgb(${rgb(t).join(',')})`;
/** 256 colours, looked up per cell. */
const LUT = Array.from({ length: 256 }, (_, i) => rgb(i / 255));

/**
 * Rows: layers with a kernel, the input side at the top; columns: gradient reports in time.
 * Colour: log10 of the norm between the smallest and largest finite value seen; NaN/∞ in red,
 * zero in black. data-span holds log10(max/min) over all cells, for the test.
 */
export class HeatMap {
  private columns: { step: number; norms: number[] }[] = [];
  private names: string[] = [];
  private readonly off = document.createElement('canvas');
  constructor(private readonly canvas: HTMLCanvasElement) {}

  clear(): void { this.columns = []; this.names = []; this.draw(); }

  push(step: number, names: string[], norms: number[]): void {
    this.names = names;
    this.columns.push({ step, norms });
  }

  /** log10 of the largest and smallest finite positive norm seen. */
  range(): [number, number] | undefined {
    let lo = Infinity, hi = -Infinity;
    for (const c of this.columns) for (const v of c.norms) if (Number.isFinite(v) && v > 0) { const l = Math.log10(v); lo = Math.min(lo, l); hi = Math.max(hi, l); }
    return lo <= hi ? [lo, hi] : undefined;
  }

  draw(): void {
    const c = this.canvas, g = c.getContext('2d')!;
    fitWidth(c);
    const W = c.width, H = c.height, L = 70, R = 56, T = 6, B = 22;
    g.clearRect(0, 0, W, H);
    g.font = '11px system-ui, sans-serif';
    const range = this.range();
    c.dataset.span = range ? (range[1] - range[0]).toFixed(3) : '';
    c.dataset.columns = String(this.columns.length);
    c.dataset.nonfinite = String(this.columns.reduce((n, col) => n + col.norms.filter((v) => !Number.isFinite(v)).length, 0));
    const rows = this.names.length, cols = this.columns.length;
    g.fillStyle = '#5a6470';
    if (!rows || !cols || !range) { g.fillText('press Train: one column per gradient report', L, H / 2); return; }
    const [lo, hi] = range, span = Math.max(hi - lo, 1e-6);
    const cw = (W - L - R) / cols, rh = (H - T - B) / rows;
    // One pixel per cell in an offscreen image, then scaled up without smoothing: a single draw
    // call however many reports have come in.
    const img = new ImageData(cols, rows);
    this.columns.forEach((col, j) => {
      col.norms.forEach((v, i) => {
        const rgbv = !Number.isFinite(v) ? [224, 32, 42] : v <= 0 ? [0, 0, 0] : LUT[Math.round(255 * (Math.log10(v) - lo) / span)];
        img.data.set([rgbv[0], rgbv[1], rgbv[2], 255], 4 * (i * cols + j));
      });
    });
    this.off.width = cols; this.off.height = rows;
    this.off.getContext('2d')!.putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(this.off, L, T, W - L - R, H - T - B);
    // Layer names (every k-th when crowded), steps along the bottom, the colour scale on the right.
    g.fillStyle = '#37414d'; g.textAlign = 'right';
    const every = Math.ceil(12 / rh);
    this.names.forEach((n, i) => { if (i === rows - 1 || (i % every === 0 && rows - 1 - i >= every)) g.fillText(n.length > 11 ? `${n.slice(0, 10)}…` : n, L - 4, T + (i + 0.5) * rh + 4); });
    g.textAlign = 'center';
    for (const j of [0, Math.floor(cols / 2), cols - 1]) g.fillText(String(this.columns[j].step), L + (j + 0.5) * cw, H - 6);
    g.textAlign = 'right'; g.fillText('batch', L - 4, H - 6);
    for (let k = 0; k < 40; k++) { g.fillStyle = colour(1 - k / 39); g.fillRect(W - R + 8, T + (k / 40) * (H - T - B), 12, Math.ceil((H - T - B) / 40)); }
    g.fillStyle = '#37414d'; g.textAlign = 'left';
    g.fillText(`1e${hi.toFixed(0)}`, W - R + 22, T + 10);
    g.fillText(`1e${lo.toFixed(0)}`, W - R + 22, H - B);
  }
}

export interface LayerStat { name: string; std: number; dead: number | null; saturated: number | null }

/**
 * One group per layer: activation std (blue, scaled to the largest shown, printed on top), dead
 * fraction (grey) and saturated fraction (orange) on 0–1.
 */
export class LayerStatsChart {
  private stats: LayerStat[] = [];
  constructor(private readonly canvas: HTMLCanvasElement) {}

  set(stats: LayerStat[]): void { this.stats = stats; }
  clear(): void { this.stats = []; this.draw(); }

  draw(): void {
    const c = this.canvas, g = c.getContext('2d')!;
    fitWidth(c);
    const W = c.width, H = c.height, L = 30, R = 8, T = 18, B = 20;
    g.clearRect(0, 0, W, H);
    g.font = '11px system-ui, sans-serif';
    c.dataset.layers = String(this.stats.length);
    if (!this.stats.length) return;
    const maxStd = Math.max(1e-12, ...this.stats.map((s) => (Number.isFinite(s.std) ? s.std : 0)));
    const gw = (W - L - R) / this.stats.length, bw = Math.max(1, gw / 4);
    g.strokeStyle = '#c9d0d8'; g.strokeRect(L, T, W - L - R, H - T - B);
    g.fillStyle = '#5a6470'; g.textAlign = 'right'; g.fillText('1', L - 4, T + 4); g.fillText('0', L - 4, H - B);
    const bar = (x: number, v: number, col: string) => {
      const h = (H - T - B) * Math.min(1, Math.max(0, v));
      g.fillStyle = col; g.fillRect(x, H - B - h, bw, h);
    };
    this.stats.forEach((s, i) => {
      const x = L + i * gw + bw * 0.5;
      bar(x, Number.isFinite(s.std) ? s.std / maxStd : 1, Number.isFinite(s.std) ? '#1f77b4' : '#e0202a');
      bar(x + bw, s.dead ?? 0, '#7f7f7f');
      bar(x + 2 * bw, s.saturated ?? 0, '#ff7f0e');
    });
    const every = Math.ceil(40 / gw);
    g.fillStyle = '#37414d'; g.textAlign = 'center';
    this.stats.forEach((s, i) => { if (i % every === 0) g.fillText(String(i + 1), L + (i + 0.5) * gw, H - 6); });
    g.textAlign = 'left';
    g.fillStyle = '#1f77b4'; g.fillText(`std (max ${maxStd.toPrecision(2)})`, L, 12);
    g.fillStyle = '#7f7f7f'; g.fillText('dead', L + 120, 12);
    g.fillStyle = '#ff7f0e'; g.fillText('saturated', L + 160, 12);
    g.fillStyle = '#37414d'; g.textAlign = 'right'; g.fillText('layer', W - R, 12);
  }
}
