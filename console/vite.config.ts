import { defineConfig } from "vite";

// The console is one static page built into dist/console, served by `sealtrail serve` beside
// /graphql. JSX is compiled by Vite's own transformer (no plugin needed for a production build).
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/graphql": "http://127.0.0.1:4000", "/auth": "http://127.0.0.1:4000", "/packs": "http://127.0.0.1:4000" } },
});
