// Draws the weight heatmap off the page's main thread: the page hands over its canvas
// (transferControlToOffscreen), then posts each frame's values; this worker renders them
// (heatmap-render.ts) and answers with the time it took, after which the page may post the next.

import { type HeatmapFrame, HeatmapRenderer } from "./heatmap-render";

let renderer: HeatmapRenderer | undefined;
// This module runs in a DedicatedWorkerGlobalScope; the project's types are the page's (DOM).
const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (e) => {
  const m = e.data as { canvas?: OffscreenCanvas; frame?: HeatmapFrame };
  if (m.canvas) renderer = new HeatmapRenderer(m.canvas);
  if (m.frame && renderer) scope.postMessage({ drawMs: renderer.render(m.frame) });
};
