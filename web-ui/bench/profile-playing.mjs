// Profiling aid (not a benchmark): a CPU profile of the page while the comparison of 10 runs ×
// 100,000 steps follows them playing (compare-frames.mjs's last phase), summed by function: the
// self time of each, and the total time of the comparison's own functions.
//
//   cd web-ui && npm run build && node bench/profile-playing.mjs [seconds]

import { EiscopeClient } from "@eiscope/client";
import { openBrowser } from "../tests/browser.mjs";
import { longRuns } from "./bench-runs.mjs";

const SECONDS = Number(process.argv[2] ?? 8);
const { server, page, close } = await openBrowser();
try {
  const client = new EiscopeClient(server.baseUrl);
  const { runs } = await longRuns(client, 10, 100_000, "profile");
  await page.goto(`${server.baseUrl}/#/compare?runs=${runs.map((r) => r.id).join(",")}&y=loss&smooth=0.6`);
  for (;;) {
    const c = await page.locator('[data-testid="compare-chart"]').evaluate((el) => el.eiscopeCurves?.() ?? {});
    if (runs.every((r) => c[r.id]?.steps.length > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await Promise.all(runs.map((r) => client.play(r.id)));
  await cdp.send("Profiler.start");
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const { profile } = await cdp.send("Profiler.stop");
  await Promise.all(runs.map((r) => client.pause(r.id)));
  const dt = new Map(); // node id -> sampled microseconds
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map();
  for (const n of profile.nodes) {
    const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt.get(n.id) ?? 0));
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`self time over ${SECONDS} s of the 10 runs playing:`);
  for (const [k, us] of top) console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
} finally {
  await close();
}
