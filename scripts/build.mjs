// Builds every process: the delegate, the Electron-free core entry points
// (CLI, bridge, benchmark), the Electron shell and preload, and the renderer.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  // ESM for the Node-run entry points; dependencies stay in node_modules
  // (better-sqlite3 is native and must not be bundled).
  build({
    ...nodeCommon,
    format: 'esm',
    packages: 'external',
    entryPoints: {
      'delegate/main': 'src-delegate/main.ts',
      'main/cli': 'src-main/cli/strongroom.ts',
      'main/serve': 'src-main/core/serve.ts',
      'bench/bench': 'test/bench/bench.ts',
    },
    outdir: 'dist',
    outExtension: { '.js': '.js' },
  }),
  // The Electron shell: CommonJS, electron external. The core's default delegate path reads
  // import.meta.url, which CommonJS lacks; the shell always passes its own path instead.
  build({
    ...nodeCommon,
    format: 'cjs',
    logOverride: { 'empty-import-meta': 'silent' },
    packages: 'external',
    entryPoints: { 'shell/main': 'src-main/shell/main.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
  }),
  // The sandboxed preload may require only 'electron': bundle everything else in.
  build({
    ...nodeCommon,
    format: 'cjs',
    external: ['electron'],
    entryPoints: { 'shell/preload': 'src-main/shell/preload.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
  }),
]);

await viteBuild({ configFile: `${root}vite.config.ts`, logLevel: 'warn' });
console.log('build: dist/ ready');
