/** Small dependency-free SVG charts for evaluation artifacts. */

const W = 480;
const H = 360;
const M = { l: 56, r: 16, t: 36, b: 48 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toFixed(2))));

/** One line of a {@link lineChartSvg}. */
export interface Series { name: string; x: readonly number[]; y: readonly number[] }

function frame(title: string, xLabel: string, yLabel: string, x0: number, x1: number, y0: number, y1: number, body: string): string {
  const px = (v: number) => M.l + ((v - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
  const py = (v: number) => H - M.b - ((v - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const axis = ticks.map((t) => {
    const xv = x0 + t * (x1 - x0);
    const yv = y0 + t * (y1 - y0);
    return `<text x="${px(xv)}" y="${H - M.b + 16}" text-anchor="middle">${fmt(xv)}</text><text x="${M.l - 6}" y="${py(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`
      + `<line x1="${M.l}" x2="${W - M.r}" y1="${py(yv)}" y2="${py(yv)}" stroke="#eee"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`
    + `<rect width="${W}" height="${H}" fill="white"/>${axis}`
    + `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#333"/><line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#333"/>`
    + `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`
    + `<text x="${(W + M.l) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`
    + `<text transform="translate(14 ${(H - M.b + M.t) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`
    + body.replace(/\{px:([-\d.e]+)\}/g, (_, v: string) => String(px(Number(v)))).replace(/\{py:([-\d.e]+)\}/g, (_, v: string) => String(py(Number(v))))
    + '</svg>';
}

/** A line chart; `diagonal` draws the y = x reference (ROC, calibration). Axes default to [0, 1]. */
export function lineChartSvg(o: { title: string; xLabel: string; yLabel: string; series: readonly Series[]; diagonal?: boolean; markers?: boolean; unitAxes?: boolean }): string {
  const xs = o.series.flatMap((s) => s.x);
  const ys = o.series.flatMap((s) => s.y);
  const unit = o.unitAxes ?? true;
  const [x0, x1] = unit ? [0, 1] : [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = unit ? [0, 1] : [Math.min(...ys), Math.max(...ys)];
  let body = o.diagonal ? `<line x1="{px:${x0}}" y1="{py:${y0}}" x2="{px:${x1}}" y2="{py:${y1}}" stroke="#999" stroke-dasharray="4 4"/>` : '';
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.x.map((x, j) => `{px:${x}},{py:${s.y[j]}}`).join(' ');
    body += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`;
    if (o.markers) body += s.x.map((x, j) => `<circle cx="{px:${x}}" cy="{py:${s.y[j]}}" r="3" fill="${color}"/>`).join('');
    body += `<text x="${W - M.r - 4}" y="${M.t + 14 * (i + 1)}" text-anchor="end" fill="${color}">${esc(s.name)}</text>`;
  });
  return frame(o.title, o.xLabel, o.yLabel, x0, x1, y0, y1, body);
}

/** A scatter chart of (x, y) points with the y = x line. */
export function scatterSvg(o: { title: string; xLabel: string; yLabel: string; x: readonly number[]; y: readonly number[] }): string {
  const lo = Math.min(...o.x, ...o.y);
  const hi = Math.max(...o.x, ...o.y);
  const body = `<line x1="{px:${lo}}" y1="{py:${lo}}" x2="{px:${hi}}" y2="{py:${hi}}" stroke="#999" stroke-dasharray="4 4"/>`
    + o.x.map((x, i) => `<circle cx="{px:${x}}" cy="{py:${o.y[i]}}" r="2" fill="${COLORS[0]}" fill-opacity="0.5"/>`).join('');
  return frame(o.title, o.xLabel, o.yLabel, lo, hi, lo, hi, body);
}

/** A confusion-matrix heatmap (rows: true class, columns: predicted). */
export function confusionMatrixSvg(matrix: readonly (readonly number[])[], labels: readonly string[]): string {
  const n = labels.length;
  const size = Math.min(56, Math.floor(360 / Math.max(n, 1)));
  const left = 90;
  const top = 60;
  const max = Math.max(1, ...matrix.flat());
  const w = left + n * size + 20;
  const h = top + n * size + 40;
  let cells = '';
  matrix.forEach((row, t) => row.forEach((v, p) => {
    const a = v / max;
    cells += `<rect x="${left + p * size}" y="${top + t * size}" width="${size}" height="${size}" fill="rgba(31,119,180,${a.toFixed(3)})" stroke="#ccc"/>`
      + `<text x="${left + p * size + size / 2}" y="${top + t * size + size / 2 + 4}" text-anchor="middle" fill="${a > 0.6 ? 'white' : 'black'}">${v}</text>`;
  }));
  const axes = labels.map((l, k) => `<text x="${left + k * size + size / 2}" y="${top - 6}" text-anchor="middle">${esc(l)}</text>`
    + `<text x="${left - 6}" y="${top + k * size + size / 2 + 4}" text-anchor="end">${esc(l)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">`
    + `<rect width="${w}" height="${h}" fill="white"/><text x="${w / 2}" y="18" text-anchor="middle" font-size="14">Confusion matrix</text>`
    + `<text x="${left + (n * size) / 2}" y="36" text-anchor="middle">predicted</text><text x="12" y="${top - 6}">true</text>${axes}${cells}</svg>`;
}

/** A horizontal bar chart with optional error bars (feature importance). */
export function barChartSvg(o: { title: string; labels: readonly string[]; values: readonly number[]; errors?: readonly number[] }): string {
  const n = o.labels.length;
  const bar = 18;
  const left = 140;
  const width = 300;
  const h = 50 + n * (bar + 6);
  const max = Math.max(1e-12, ...o.values.map((v, i) => Math.abs(v) + (o.errors?.[i] ?? 0)));
  const scale = (v: number) => (Math.max(v, 0) / max) * width;
  const rows = o.labels.map((l, i) => {
    const y = 40 + i * (bar + 6);
    const v = o.values[i]!;
    const e = o.errors?.[i] ?? 0;
    return `<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(l)}</text><rect x="${left}" y="${y}" width="${scale(v)}" height="${bar}" fill="${COLORS[0]}"/>`
      + (e ? `<line x1="${left + scale(v - e)}" x2="${left + scale(v + e)}" y1="${y + bar / 2}" y2="${y + bar / 2}" stroke="#333"/>` : '')
      + `<text x="${left + scale(v) + 4}" y="${y + 13}">${fmt(v)}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 70}" height="${h}" viewBox="0 0 ${left + width + 70} ${h}" font-family="sans-serif" font-size="11">`
    + `<rect width="100%" height="100%" fill="white"/><text x="${(left + width + 70) / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>${rows}</svg>`;
}
