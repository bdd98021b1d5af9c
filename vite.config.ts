import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is served from app://strongroom (Electron) or the loopback bridge;
// relative asset URLs work under both.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // The bundle is read from disk (app:// or the loopback bridge), never over a network: one chunk is fine.
    chunkSizeWarningLimit: 2048,
  },
});
