import { defineConfig } from 'vite';
import { mockApi } from './mock/mockapi';

// `npm run dev` serves the UI with a mock API (mock/), or proxies /api and /role to a real
// console when FLOWLENS_API is set (FLOWLENS_API=http://127.0.0.1:9001 npm run dev).
// `npm run build` writes dist/, embedded in flowlens-console: relative asset URLs, content
// hashes only, no source maps, so the same input gives the same bytes.
const api = process.env.FLOWLENS_API;

export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  plugins: [mockApi()],
  server: {
    host: '127.0.0.1',
    proxy: api ? { '/api': api, '/role': api } : undefined,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
  },
});
