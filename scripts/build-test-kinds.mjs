// Builds the app with the test-only manager kinds of test/kinds/ registered, into
// dist-test/, for the end-to-end tests that drive such a kind in the real UI
// (test/e2e/kv-lite-kind.e2e.test.ts). The product build (scripts/build.mjs) never
// includes them and fails if it does. Each entry imports a kind's description (and
// in the delegate its provider) and then the product's own entry, so everything
// else is the product's code:
//   dist-test/delegate/main.js  test/kinds/kv-lite/entries/delegate.ts
//   dist-test/main/serve.js     test/kinds/kv-lite/entries/serve.ts (finds the delegate
//                               and renderer beside it, as dist/main/serve.js does)
//   dist-test/renderer/         the product's index.html and vite config, with
//                               test/kinds/kv-lite/entries/renderer.ts as its script
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testKindsIn } from './test-kinds.mjs';

// The renderer is built as the product's is, whatever the caller set: under Vitest, NODE_ENV
// is "test", with which Vite bundles React's development build and Node's modules' stubs.
process.env.NODE_ENV = 'production';

const root = new URL('..', import.meta.url).pathname;
const entries = join(root, 'test', 'kinds', 'kv-lite', 'entries');
const productRendererEntry = join(root, 'src-renderer', 'main.tsx');
const out = `${root}.dist-test-next`;
rmSync(out, { recursive: true, force: true });

await build({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
  // Every package stays in node_modules, which Node finds from dist-test/ as from dist/.
  packages: 'external',
  entryPoints: { 'delegate/main': join(entries, 'delegate.ts'), 'main/serve': join(entries, 'serve.ts') },
  // One file per entry, so each can be checked below for the kind it must hold.
  outdir: out,
});

/** The product's index.html loads the test renderer entry instead of src-renderer/main.tsx, which that entry imports in turn. */
const testRendererEntry = {
  name: 'test-kinds-renderer-entry',
  enforce: 'pre',
  async resolveId(source, importer, options) {
    if (!importer?.endsWith('.html')) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved?.id === productRendererEntry ? join(entries, 'renderer.ts') : null;
  },
};
await viteBuild({ configFile: `${root}vite.config.ts`, logLevel: 'warn', plugins: [testRendererEntry], build: { outDir: `${out}/renderer` } });

// A test build that lost a kind on the way would pass its tests against the product alone.
for (const part of ['delegate', 'main', 'renderer']) {
  if (!testKindsIn(join(out, part)).some((found) => found.endsWith(': kv-lite'))) throw new Error(`The test build's ${part} does not hold kv-lite.`);
}

const old = `${root}.dist-test-old`;
rmSync(old, { recursive: true, force: true });
if (existsSync(`${root}dist-test`)) renameSync(`${root}dist-test`, old);
renameSync(out, `${root}dist-test`);
rmSync(old, { recursive: true, force: true });
console.log('build-test-kinds: dist-test/ ready');
