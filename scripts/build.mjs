// Builds every process: the delegate, the Electron-free core entry points
// (CLI, bridge, benchmark), the Electron shell and preload, and the renderer.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { testKindsIn } from './test-kinds.mjs';

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

/**
 * The CLI is built on its own, so a command served by a session loads only the socket client,
 * the sealing code and zod/mini, tree-shaken (about 50 KB of zod instead of the whole of it): in
 * one build with the core, esbuild would put all of zod that any entry uses into one shared chunk.
 * What the CLI loads only on use and that needs the full zod (the core, the contract, the import
 * parsers) comes from the core's build instead, as entries of their own beside dist/main/cli.js.
 */
const cliLazyEntries = {
  'src-main/core/app-core.ts': 'main/cli-core',
  'src-shared/contract.ts': 'main/cli-contract',
  'src-shared/import-formats.ts': 'main/cli-import-formats',
};

const cliLazyImports = {
  name: 'cli-lazy-imports',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = relative(root, join(dirname(args.path.startsWith('.') ? args.importer : root), args.path)).replace(/\.js$/, '.ts');
      const entry = cliLazyEntries[source];
      // Every file of the CLI's build is in dist/main (chunkNames), so the import is relative to dist/main wherever it lands.
      return entry ? { path: `./${entry.slice('main/'.length)}.js`, external: true } : undefined;
    });
  },
};

/**
 * Fails the build when what dist/main/cli.js loads before any dynamic import reaches classic zod
 * again: that is what made a command through a session slow to start. (Lazy chunks of the CLI,
 * such as the session commands' handshake, may use it.)
 */
function assertCliStartStaysSmall(metafile) {
  const loadedAtStart = new Set();
  const visit = (output) => {
    if (loadedAtStart.has(output)) return;
    loadedAtStart.add(output);
    for (const imported of metafile.outputs[output].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(Object.keys(metafile.outputs).find((output) => output.endsWith('main/cli.js')));
  for (const output of loadedAtStart) {
    const classic = Object.keys(metafile.outputs[output].inputs).find((input) => input.includes('zod/v4/classic/'));
    if (classic) throw new Error(`The CLI loads classic zod at start (${classic}, in ${output}): reach it through a dynamic import or a lazy entry (cliLazyEntries in scripts/build.mjs).`);
  }
}

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
      ...Object.fromEntries(Object.entries(cliLazyEntries).map(([source, entry]) => [entry, source])),
      'main/agent': 'src-main/cli/session-agent.ts',
      'main/serve': 'src-main/core/serve.ts',
      'bench/bench': 'test/bench/bench.ts',
      'bench/aws-emulator-process': 'test/bench/aws-emulator-process.ts',
    },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir: out,
    outExtension: { '.js': '.js' },
  }),
  // The CLI (see cliLazyEntries).
  build({
    ...nodeCommon,
    format: 'esm',
    external: externalPackages,
    plugins: [zodEnglishOnly, cliLazyImports],
    entryPoints: { 'main/cli': 'src-main/cli/strongroom.ts' },
    splitting: true,
    chunkNames: 'main/cli-[name]-[hash]',
    outdir: out,
    outExtension: { '.js': '.js' },
    metafile: true,
  }).then((result) => assertCliStartStaysSmall(result.metafile)),
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

// Test-only manager kinds (test/kinds/) join only the test build (scripts/build-test-kinds.mjs).
const leakedTestKinds = testKindsIn(out);
if (leakedTestKinds.length > 0) throw new Error(`The product build holds test-only manager kinds:\n  ${leakedTestKinds.join('\n  ')}`);

const old = `${root}.dist-old`;
rmSync(old, { recursive: true, force: true });
if (existsSync(`${root}dist`)) renameSync(`${root}dist`, old);
renameSync(out, `${root}dist`);
rmSync(old, { recursive: true, force: true });
console.log('build: dist/ ready');
