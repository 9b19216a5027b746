import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API at /app (src/pages.ts) under a policy allowing only its own files: no inline
// script or style, nothing from elsewhere.
export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false } },
});
