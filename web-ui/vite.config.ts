import { defineConfig } from "vite";

// The server serves dist/ at "/" on its gRPC-Web port; relative asset paths keep the
// build working wherever it is mounted.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    // `npm run dev` talks to a server elsewhere: open http://localhost:5173/?server=<its url>.
    port: 5173,
  },
});
