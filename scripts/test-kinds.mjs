// The test-only manager kinds (one folder each in test/kinds/, named after the
// kind) and where a build holds them: the product build must hold none
// (scripts/build.mjs), the test build holds them all (scripts/build-test-kinds.mjs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export function testKindNames() {
  const dir = join(root, 'test', 'kinds');
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [];
}

/** Each built file (code, page or style; not source maps, which quote sources) naming a test-only kind, as "file: kind". */
export function testKindsIn(dir) {
  const names = testKindNames();
  const found = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(c?js|html|css)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'utf8');
    for (const name of names) if (text.includes(name)) found.push(`${path.slice(dir.length + 1)}: ${name}`);
  }
  return found;
}
