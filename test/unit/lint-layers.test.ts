/**
 * The layers lint rule (eslint-rules/layers.js) refuses what each fixture in
 * test/fixtures/lint-layers says it does, dynamic imports and imports reached
 * through other files included, and the product code passes it.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(repo, 'test/fixtures/lint-layers');

async function layerErrors(eslint: ESLint, patterns: string[]): Promise<Map<string, string[]>> {
  const results = await eslint.lintFiles(patterns);
  return new Map(
    results.map((result) => [
      result.filePath.slice(result.filePath.indexOf('src-')),
      result.messages.map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`),
    ]),
  );
}

describe('layers lint rule', () => {
  it('refuses forbidden dynamic and transitive imports in the fixtures, and passes the allowed ones', async () => {
    const eslint = new ESLint({ cwd: fixtures, overrideConfigFile: join(fixtures, 'eslint.config.js') });
    const errors = await layerErrors(eslint, ['src-*/**/*.ts']);
    expect(errors.get('src-renderer/allowed.ts')).toEqual([]);
    expect(errors.get('src-shared/schema.ts')).toEqual([]);
    expect(errors.get('src-delegate/keyring.ts')).toEqual([]);
    expect(errors.get('src-renderer/dynamic-import.ts')).toEqual([expect.stringMatching(/^strongroom\/layers: src-renderer may load only .*, not node:child_process\.$/)]);
    expect(errors.get('src-main/dynamic-delegate.ts')).toEqual(['strongroom/layers: src-main may reach only src-main, src-shared, not src-delegate/keyring.ts.']);
    expect(errors.get('src-renderer/transitive-import.ts')).toEqual([
      expect.stringMatching(/^strongroom\/layers: src-renderer may load only .*, not node:fs, reached through src-shared\/reads-files\.ts → node:fs\.$/),
    ]);
    expect(errors.get('src-renderer/through-contract.ts')).toEqual([
      'strongroom/layers: src-renderer may reach only src-renderer, src-shared, not src-delegate/keyring.ts, reached through src-shared/contract.ts → src-delegate/keyring.ts.',
    ]);
    expect(errors.get('src-shared/reads-files.ts')).toEqual(['strongroom/layers: src-shared may load only zod, @hpke/core, dotenv, csv-parse, not node:fs.']);
    expect(errors.get('src-main/computed-import.ts')).toEqual([expect.stringContaining('computed import() cannot be checked')]);
  });

  it('passes the product code', { timeout: 600_000 }, async () => {
    const eslint = new ESLint({ cwd: repo, ruleFilter: ({ ruleId }) => ruleId === 'strongroom/layers' });
    const errors = await layerErrors(eslint, ['src-shared', 'src-renderer', 'src-main', 'src-delegate']);
    expect(errors.size).toBeGreaterThan(100);
    expect([...errors].filter(([, messages]) => messages.length > 0)).toEqual([]);
  });
});
