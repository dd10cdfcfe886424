// Downloads of a line chart, from buttons in its card's header: CSV of the series it draws
// (a step column, then one column per series, aligned by step, empty where a series has no
// point; raw values, as the record holds them: smoothing is a way of drawing, not data), PNG of
// its canvas (canvas.toBlob, at the canvas's own size in device pixels) and SVG rebuilt from the
// series (chart-svg.ts). What the chart shows is what is exported: a downsampled curve exports
// its points; every recorded point of a run is in its scalars.csv.

import { chartSvg } from "./chart-svg";
import { h } from "./dom";
import "./run-tools.css";

export interface ChartSeries {
  label: string;
  color: string;
  /** Ascending: the CSV's rows. */
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Where each point is drawn when not at its step (a time axis). */
  xs?: ArrayLike<number>;
  dashed?: boolean;
}

/** What a chart draws, for its exports. */
export interface ChartPicture {
  title: string;
  xLabel: string;
  yLabel: string;
  logY: boolean;
  /** CSS pixels of the plot. */
  width: number;
  height: number;
  series: ChartSeries[];
  /** The x axis' tick labels (steps, or times). */
  formatX(x: number): string;
  /** The canvas drawn (undefined before the first draw). */
  canvas?: HTMLCanvasElement;
}

/** CSV of `series` aligned by step: "step,<label>,<label>…", one row per step any of them has. */
export function chartCsv(series: ChartSeries[]): string {
  const steps = new Set<number>();
  for (const s of series) for (let i = 0; i < s.steps.length; i++) steps.add(s.steps[i]);
  const rows = [...steps].sort((a, b) => a - b);
  const at = new Map(rows.map((step, r) => [step, r]));
  const columns = series.map((s) => {
    const col: string[] = new Array(rows.length).fill("");
    for (let i = 0; i < s.steps.length; i++) col[at.get(s.steps[i])!] = String(s.values[i]);
    return col;
  });
  const lines = [["step", ...series.map((s) => s.label)].map(csvField).join(",")];
  for (let r = 0; r < rows.length; r++) lines.push([String(rows[r]), ...columns.map((c) => c[r])].join(","));
  return `${lines.join("\n")}\n`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Saves `blob` as a download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started; keep the URL a little for slow starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * "CSV · PNG · SVG" buttons for a chart: `picture` is read at the click; files are named
 * `<fileBase()>.csv` etc. Test ids: `<testid>-csv`, `<testid>-png`, `<testid>-svg`.
 */
export function exportButtons(testid: string, picture: () => ChartPicture, fileBase: () => string): HTMLElement {
  const problem = h("span", { className: "warn small" });
  const button = (kind: string, title: string, save: () => void | Promise<void>) => {
    const b = h(
      "button",
      { type: "button", className: "link-button small", testid: `${testid}-${kind}`, title },
      kind.toUpperCase(),
    );
    b.addEventListener("click", () => {
      problem.textContent = "";
      Promise.resolve()
        .then(save)
        .catch((e) => (problem.textContent = `${kind}: ${e instanceof Error ? e.message : String(e)}`));
    });
    return b;
  };
  return h(
    "span",
    { className: "chart-exports small muted", testid },
    "⤓ ",
    button("csv", "The series drawn, one column per series, aligned by step (raw values)", () =>
      saveBlob(new Blob([chartCsv(picture().series)], { type: "text/csv" }), `${fileBase()}.csv`),
    ),
    " ",
    button("png", "The chart as drawn, as a PNG image", async () => {
      const canvas = picture().canvas;
      if (!canvas) throw new Error("nothing drawn yet");
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
      if (!blob) throw new Error("the browser could not encode the canvas");
      saveBlob(blob, `${fileBase()}.png`);
    }),
    " ",
    button("svg", "The chart rebuilt as SVG from its data: a line per series, axes with ticks", () =>
      saveBlob(new Blob([chartSvg(picture())], { type: "image/svg+xml" }), `${fileBase()}.svg`),
    ),
    problem,
  );
}
