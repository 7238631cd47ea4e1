import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** The dashboard: built from ui/ into dist/ui, which the engine serves (engine/src/config/install.ts). */
export default defineConfig({
  root: 'ui',
  base: './',
  plugins: [vue()],
  // duckdb-wasm ships its own workers and wasm; pre-bundling breaks their ?url imports.
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    // The DuckDB wasm files are ~35 MB each; they are fetched once, same-origin, never from a CDN.
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
});
