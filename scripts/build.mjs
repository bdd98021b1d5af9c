// Builds every process: the delegate, the Electron-free core entry points
// (CLI, bridge, benchmark), the Electron shell and preload, and the renderer.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
// Pure-JS packages every command loads are bundled in: Node resolves and compiles one
// chunk instead of zod's and HPKE's hundred-odd files, which is most of a CLI start.
const bundledPackages = new Set(['zod', '@hpke/core', '@hpke/common']);
const externalPackages = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.devDependencies })
  .filter((name) => !bundledPackages.has(name))
  .flatMap((name) => [name, `${name}/*`]);
// Build beside dist/ and swap at the end, so a test or app running from dist/
// never sees a half-written build.
const out = `${root}.dist-next`;
rmSync(out, { recursive: true, force: true });

/**
 * zod's namespace re-exports its ~50 message translations (370 KB, nearly half of what a CLI
 * start parses); Strongroom speaks English only, so the bundle keeps zod's English messages alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/zod/v4/') ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  // ESM for the Node-run entry points.
  build({
    ...nodeCommon,
    format: 'esm',
    // Native addons and the heavy SDKs stay in node_modules (better-sqlite3 must not be bundled).
    external: externalPackages,
    plugins: [zodEnglishOnly],
    entryPoints: {
      'delegate/main': 'src-delegate/main.ts',
      'main/cli': 'src-main/cli/strongroom.ts',
      'main/agent': 'src-main/cli/session-agent.ts',
      'main/serve': 'src-main/core/serve.ts',
      'bench/bench': 'test/bench/bench.ts',
    },
    // Shared code goes into chunks, and the CLI loads the core only when no session serves it:
    // a command through a session starts with the socket client and the sealing code alone.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir: out,
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
    outdir: out,
    outExtension: { '.js': '.cjs' },
  }),
  // The sandboxed preload may require only 'electron': bundle everything else in.
  build({
    ...nodeCommon,
    format: 'cjs',
    external: ['electron'],
    entryPoints: { 'shell/preload': 'src-main/shell/preload.ts' },
    outdir: out,
    outExtension: { '.js': '.cjs' },
  }),
]);

await viteBuild({ configFile: `${root}vite.config.ts`, logLevel: 'warn', build: { outDir: `${out}/renderer` } });

const old = `${root}.dist-old`;
rmSync(old, { recursive: true, force: true });
if (existsSync(`${root}dist`)) renameSync(`${root}dist`, old);
renameSync(out, `${root}dist`);
rmSync(old, { recursive: true, force: true });
console.log('build: dist/ ready');
