/**
 * A small SVG line chart for the examples' output: one polyline per series, linear x, linear or
 * log10 y with decade ticks, and a legend. Enough to look at, not a charting library.
 */
export interface Series { name: string; points: [number, number][] }
export interface ChartOptions { title: string; xLabel: string; yLabel: string; logY?: boolean; series: Series[]; width?: number; height?: number }

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 760, H = o.height ?? 420, m = { l: 70, r: 190, t: 40, b: 50 };
  const fy = (v: number) => (o.logY ? Math.log10(v) : v);
  const pts = o.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(fy(y)));
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => fy(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (o.logY) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) y1 = y0 + 1;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((fy(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`];
  // y ticks: decades on a log axis, five steps otherwise
  const yTicks = o.logY ? Array.from({ length: y1 - y0 + 1 }, (_, i) => y0 + i) : Array.from({ length: 6 }, (_, i) => y0 + ((y1 - y0) * i) / 5);
  for (const t of yTicks) {
    const y = H - m.b - ((t - y0) / (y1 - y0)) * (H - m.t - m.b);
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${o.logY ? `1e${t}` : +t.toPrecision(3)}</text>`);
  }
  // Whole-number x (layers, batches) gets whole-number ticks.
  const whole = xs.every(Number.isInteger);
  const xTicks = [...new Set(Array.from({ length: 6 }, (_, i) => x0 + ((x1 - x0) * i) / 5).map((t) => (whole ? Math.round(t) : t)))];
  for (const t of xTicks) out.push(`<text x="${px(t)}" y="${H - m.b + 16}" text-anchor="middle">${+t.toPrecision(3)}</text>`);
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    const good = s.points.filter(([, y]) => Number.isFinite(fy(y)));
    if (good.length) out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${good.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    const ly = m.t + 10 + i * 18;
    out.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 32}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="2"/>`,
      `<text x="${W - m.r + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
