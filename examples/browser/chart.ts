/**
 * A line chart on a plain canvas: series of (x, y) points, linear or log y axis, a few ticks and
 * a legend. Redraws from scratch every time; the data lives in the series arrays. Each draw first
 * sizes the canvas to the width it is shown at, so a chart fills its panel.
 */
export interface Series { name: string; color: string; points: [number, number][]; dashed?: boolean }

/** Sets the canvas's drawing width to its displayed width (CSS pixels); true when it changed. */
export function fitWidth(c: HTMLCanvasElement): boolean {
  const w = Math.round(c.clientWidth);
  if (w > 0 && c.width !== w) { c.width = w; return true; }
  return false;
}

export class LineChart {
  readonly series: Series[] = [];
  constructor(private readonly canvas: HTMLCanvasElement, private readonly opts: { logY?: boolean; yMin?: number; yMax?: number; xLabel?: string } = {}) {}

  line(name: string, color: string, dashed = false): Series {
    let s = this.series.find((v) => v.name === name);
    if (!s) { s = { name, color, points: [], dashed }; this.series.push(s); }
    return s;
  }

  clear(): void { this.series.length = 0; this.draw(); }

  /** Total points across series (the page test reads it from data-points). */
  get size(): number { return this.series.reduce((n, s) => n + s.points.length, 0); }

  draw(): void {
    const c = this.canvas, g = c.getContext('2d')!;
    fitWidth(c);
    const W = c.width, H = c.height, L = 46, R = 10, T = 22, B = 26;
    g.clearRect(0, 0, W, H);
    g.font = '11px system-ui, sans-serif';
    c.dataset.points = String(this.size);
    const ty = (v: number) => (this.opts.logY ? Math.log10(Math.max(v, 1e-12)) : v);
    const all = this.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!this.opts.logY || y > 0));
    let x0 = 0, x1 = 1, y0 = this.opts.yMin ?? Infinity, y1 = this.opts.yMax ?? -Infinity;
    if (all.length) {
      x0 = Math.min(...all.map((p) => p[0])); x1 = Math.max(x0 + 1, ...all.map((p) => p[0]));
      if (this.opts.yMin === undefined) y0 = Math.min(...all.map((p) => ty(p[1])));
      if (this.opts.yMax === undefined) y1 = Math.max(...all.map((p) => ty(p[1])));
    }
    if (!(y1 > y0)) { y0 = Number.isFinite(y0) ? y0 - 0.5 : 0; y1 = y0 + 1; }
    const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
    const py = (y: number) => T + (1 - (ty(y) - y0) / (y1 - y0)) * (H - T - B);
    // Axes and ticks.
    g.strokeStyle = '#c9d0d8'; g.fillStyle = '#5a6470'; g.lineWidth = 1;
    g.strokeRect(L, T, W - L - R, H - T - B);
    for (let i = 0; i <= 4; i++) {
      const v = y0 + ((y1 - y0) * i) / 4, y = T + (1 - i / 4) * (H - T - B);
      g.beginPath(); g.moveTo(L, y); g.lineTo(W - R, y); g.globalAlpha = 0.35; g.stroke(); g.globalAlpha = 1;
      const label = this.opts.logY ? (Math.abs(v) >= 3 ? `1e${v.toFixed(1)}` : (10 ** v).toPrecision(2)) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
      g.textAlign = 'right'; g.fillText(label, L - 4, y + 4);
    }
    for (let i = 0; i <= 4; i++) {
      g.textAlign = i === 4 ? 'right' : 'center';
      g.fillText(String(Math.round(x0 + ((x1 - x0) * i) / 4)), px(x0 + ((x1 - x0) * i) / 4) + (i === 4 ? 4 : 0), H - B + 14);
    }
    if (this.opts.xLabel) { g.textAlign = 'right'; g.fillText(this.opts.xLabel, W - R, H - 1); }
    // Lines and legend.
    let lx = L + 4;
    for (const s of this.series) {
      g.strokeStyle = s.color; g.lineWidth = 1.6; g.setLineDash(s.dashed ? [5, 3] : []);
      g.beginPath();
      s.points.forEach(([x, y], i) => (i ? g.lineTo(px(x), py(y)) : g.moveTo(px(x), py(y))));
      g.stroke();
      if (s.points.length === 1) { g.fillStyle = s.color; g.fillRect(px(s.points[0][0]) - 2, py(s.points[0][1]) - 2, 4, 4); }
      g.setLineDash([]);
      g.fillStyle = s.color; g.textAlign = 'left';
      g.fillRect(lx, 8, 10, 3); g.fillText(s.name, lx + 13, 13);
      lx += g.measureText(s.name).width + 26;
    }
  }
}
