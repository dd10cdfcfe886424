// A line chart as SVG, from the series' data (uPlot draws on a canvas and has no SVG output):
// one <polyline> per series, in its colour (dashed where the chart dashes it), axes with ticks
// at round numbers (decades on a log axis) and their labels, the axis titles and a legend.
// Points that cannot be drawn (not finite; ≤ 0 on a log axis) are left out and the line spans
// them, as the chart does. A browser and any SVG parser read it.

import type { ChartPicture } from "./chart-export";

const MARGIN = { left: 64, right: 16, top: 16, bottom: 44 };
const LEGEND_ROW = 16;

/** The SVG text of `p`, `p.width` × `p.height` CSS pixels plus a legend row per series. */
export function chartSvg(p: ChartPicture): string {
  const logY = p.logY;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of p.series) {
    const x = s.xs ?? s.steps;
    for (let i = 0; i < x.length; i++) {
      const y = s.values[i];
      if (Number.isFinite(x[i]) && Number.isFinite(y) && (!logY || y > 0)) {
        xs.push(x[i]);
        ys.push(logY ? Math.log10(y) : y);
      }
    }
  }
  const [x0, x1] = span(xs);
  const [y0, y1] = span(ys);
  const w = p.width - MARGIN.left - MARGIN.right;
  const h = p.height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => MARGIN.top + h - ((y - y0) / (y1 - y0)) * h;
  const out: string[] = [];
  const height = p.height + LEGEND_ROW * p.series.length;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${p.width}" height="${height}" viewBox="0 0 ${p.width} ${height}" ` +
      `font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${esc(p.title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  );
  // Grid and ticks.
  for (const t of ticks(x0, x1)) {
    const x = px(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + h}" stroke="#eef0f3"/>`);
    out.push(`<text x="${x}" y="${MARGIN.top + h + 14}" text-anchor="middle" fill="#5b6472">${esc(p.formatX(t))}</text>`);
  }
  for (const t of logY ? decades(y0, y1) : ticks(y0, y1)) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + w}" y2="${y}" stroke="#eef0f3"/>`);
    out.push(
      `<text x="${MARGIN.left - 6}" y="${y}" dy="0.35em" text-anchor="end" fill="#5b6472">${esc(label(logY ? 10 ** t : t))}</text>`,
    );
  }
  out.push(
    `<path d="M${MARGIN.left},${MARGIN.top}V${MARGIN.top + h}H${MARGIN.left + w}" fill="none" stroke="#5b6472"/>`,
    `<text x="${MARGIN.left + w / 2}" y="${p.height - 8}" text-anchor="middle" fill="#5b6472">${esc(p.xLabel)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#5b6472">${esc(p.yLabel)}${logY ? " (log)" : ""}</text>`,
  );
  // One polyline per series, clipped to the plot area.
  out.push(`<clipPath id="plot"><rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}"/></clipPath>`);
  p.series.forEach((s, k) => {
    const points: string[] = [];
    const x = s.xs ?? s.steps;
    for (let i = 0; i < x.length; i++) {
      const y = s.values[i];
      if (!Number.isFinite(x[i]) || !Number.isFinite(y) || (logY && y <= 0)) continue;
      points.push(`${px(x[i]).toFixed(2)},${py(logY ? Math.log10(y) : y).toFixed(2)}`);
    }
    const dash = s.dashed ? ` stroke-dasharray="5 4"` : "";
    out.push(
      `<polyline clip-path="url(#plot)" fill="none" stroke="${s.color}" stroke-width="1.5"${dash} points="${points.join(" ")}">` +
        `<title>${esc(s.label)}</title></polyline>`,
    );
    const ly = p.height + LEGEND_ROW * k + 10;
    out.push(
      `<line x1="${MARGIN.left}" y1="${ly}" x2="${MARGIN.left + 18}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${MARGIN.left + 24}" y="${ly}" dy="0.35em" fill="#1f2937">${esc(s.label)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}

/** The range of `v`, widened when empty or flat so the axes still mean something. */
function span(v: number[]): [number, number] {
  if (v.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** About six ticks at 1, 2 or 5 × 10^k within [lo, hi]. */
export function ticks(lo: number, hi: number, target = 6): number[] {
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** Whole powers of ten in [lo, hi] (log10 units); round ticks when the range is less than a decade. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) out.push(d);
  return out.length >= 2 ? out : ticks(lo, hi);
}

function label(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(1).replace("e+", "e");
  return String(Number(x.toPrecision(6)));
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
