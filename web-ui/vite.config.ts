import { defineConfig, loadEnv } from "vite";

// The server serves dist/ at "/" on its gRPC-Web port; relative asset paths keep the
// build working wherever it is mounted.
export default defineConfig(({ mode }) => {
  // `EISCOPE_URL=http://127.0.0.1:PORT npm run dev`: the dev server forwards the API and the
  // exports to a running server, so the page still talks to its own origin (the server sends no
  // CORS). An https:// server with its self-signed certificate is forwarded to unverified: this
  // proxy is for development on one's own machine.
  const env = loadEnv(mode, ".", "EISCOPE_");
  const target = { target: env.EISCOPE_URL ?? "http://127.0.0.1:8080", secure: false };
  return {
    base: "./",
    build: {
      outDir: "dist",
      emptyOutDir: true,
      target: "es2022",
    },
    server: {
      port: 5173,
      proxy: {
        "/eiscope.v1.SimulationService": target,
        "/api": target,
      },
    },
  };
});
