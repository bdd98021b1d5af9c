// `.ci/run` on a machine where nothing was installed by hand: every system
// tool a test or the product runs must come from a package it installs (or
// one Debian always has), and every tool spawned by name must be described
// in test/fixtures/system-tools.ts, where the skips that name it come from.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemTools } from '../fixtures/system-tools.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Priority "required" in Debian: present on every installation, even a minimal container. */
const DEBIAN_ALWAYS_PRESENT = new Set(['coreutils', 'libc-bin', 'util-linux', 'passwd', 'dash']);

function ciPackages(): Set<string> {
  const script = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  const list = /^packages=\(\n([\s\S]*?)\n\)/m.exec(script);
  if (!list?.[1]) throw new Error('.ci/run has no packages=( ... ) list');
  return new Set(list[1].split('\n').flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/)).filter(Boolean));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('.ci/run installs what the tests need', () => {
  it('installs the package of every system tool', () => {
    const installed = ciPackages();
    const missing = Object.entries(systemTools)
      .filter(([, tool]) => !installed.has(tool.debianPackage) && !DEBIAN_ALWAYS_PRESENT.has(tool.debianPackage))
      .map(([name, tool]) => `${name} (${tool.debianPackage})`);
    expect(missing).toEqual([]);
  });

  it('describes every tool that a test or the delegate spawns by name', () => {
    const spawnedByName = /(?<![.\w])(?:spawn|spawnSync|execFileSync|execFile|run|runTool|runKerberosTool)\(\s*'([^' ]+)'/g;
    const described = new Set<string>(Object.values(systemTools).flatMap((tool) => ('executable' in tool ? [basename(tool.executable)] : [])));
    const found = new Map<string, string>();
    for (const file of ['test', 'src-delegate', 'src-shared'].flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
      for (const [, command = ''] of readFileSync(file, 'utf8').matchAll(spawnedByName)) found.set(basename(command), file);
    }
    expect(found.size).toBeGreaterThan(5);
    const undescribed = [...found].filter(([tool]) => !described.has(tool)).map(([tool, file]) => `${tool} in ${file}`);
    expect(undescribed).toEqual([]);
  });
});
