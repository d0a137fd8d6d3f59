import { defineConfig } from 'vite';

// The UI is served by `capstan server` from packages/web/dist; `npm run dev -w @capstan/web`
// proxies the API to a server on :5000.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', target: 'es2022' },
  server: {
    proxy: {
      '/ajax-api': 'http://127.0.0.1:5000',
      '/api': 'http://127.0.0.1:5000',
    },
  },
});
