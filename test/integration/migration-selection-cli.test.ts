/**
 * `strongroom search save|list|rename|delete` (each change audited) and the selection and reference options
 * of `strongroom migrate` (--saved-search, --type, --app/--env,
 * --keep-references), through the built CLI against a real store and the
 * Vault emulator: a reference kept (its manager re-pointed, nothing written
 * in Vault) and one that cannot be kept (copied into the built-in store).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { runNodeScript, type ScriptOutcome } from '../fixtures/process-tools.js';
import { CLI_ENTRY, PASSPHRASE, call, createVault, queryStore, requireBuild, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createIn } from './managers-harness.js';

let dir: ReturnType<typeof tempDir>;
let vault: VaultEmulator;
const referencePath = `strongroom/shared/cli-${randomBytes(3).toString('hex')}`;
const referencedValue = `referenced-${randomBytes(4).toString('hex')}`;
const dataDir = () => join(dir.path, 'store');
const passphraseFile = () => join(dir.path, 'passphrase');

/** Runs the command without blocking this process: the Vault emulator answers from here. */
function cli(args: string[]): Promise<ScriptOutcome> {
  return runNodeScript(CLI_ENTRY, ['--data-dir', dataDir(), '--passphrase-file', passphraseFile(), ...args]);
}

const query = <T>(sql: string, ...params: unknown[]): T[] => queryStore<T>(dataDir(), sql, ...params);

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  writeFileSync(passphraseFile(), `${PASSPHRASE}\n`, { mode: 0o600 });
  vault = await startVaultEmulator();
  const seeded = await fetch(`${vault.endpoint}/v1/secret/data/${referencePath}`, {
    method: 'POST',
    headers: { 'X-Vault-Token': vault.credentials.rootToken, 'Content-Type': 'application/json' },
    body: JSON.stringify({ data: { password: referencedValue } }),
  });
  expect(seeded.ok).toBe(true);
  const core = await startCore(dataDir());
  try {
    await createVault(core);
    const vaultA = await addManager(core, 'vault-a', 'vault', { ...vaultConfig(vault), basePath: 'strongroom/a' });
    // The same Vault (url, namespace, KV engine): a reference in vault-a means the same secret here.
    await addManager(core, 'vault-b', 'vault', { ...vaultConfig(vault), basePath: 'strongroom/b' });
    const billing = await call(core, 'apps.create', { name: 'billing' });
    const prod = await call(core, 'envs.create', { applicationId: billing.id, name: 'prod', type: 'production' });
    await createIn(core, 'db-password', 'one');
    await createIn(core, 'db-user', 'two');
    await createIn(core, 'api-token', 'three');
    const scoped = await createIn(core, 'billing-db', 'four');
    await call(core, 'secrets.setScope', { id: scoped.id, scope: { scoped: true, entries: [{ applicationId: billing.id, environmentId: prod.id }] } });
    await call(core, 'secrets.createReference', { name: 'shared-db', managerId: vaultA.id, reference: `${referencePath}#password` });
    await call(core, 'secrets.createReference', { name: 'shared-db-2', managerId: vaultA.id, reference: `${referencePath}#password` });
  } finally {
    await core.close();
  }
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([vault?.close()]);
  dir?.remove();
});

describe('strongroom search', () => {
  it('save, list, replace, rename, delete, each audited; a name taken, an unknown type, --env without --app', async () => {
    const saved = await cli(['search', 'save', 'DB secrets', '--filter', 'db-', '--type', 'text']);
    expect(saved.code, saved.stderr).toBe(0);
    expect((await cli(['search', 'save', 'Billing prod', '--app', 'billing', '--env', 'prod'])).code).toBe(0);
    const listed = await cli(['search', 'list']);
    expect(listed.stdout).toBe('Billing prod\tapp billing/prod\nDB secrets\tname matches "db-"; types text\n');
    const listedJson = JSON.parse((await cli(['search', 'list', '--json'])).stdout) as { name: string; filter: { query: string; types: string[] } }[];
    expect(listedJson.find((item) => item.name === 'DB secrets')?.filter).toEqual({ query: 'db-', types: ['text'] });

    const taken = await cli(['search', 'save', 'db SECRETS', '--filter', 'x']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already exists');
    expect((await cli(['search', 'save', 'db secrets', '--filter', 'db', '--replace'])).code).toBe(0);
    expect((await cli(['search', 'list'])).stdout).toContain('db secrets\tname matches "db"\n');
    expect((await cli(['search', 'save', 'bad', '--type', 'nope'])).code).toBe(2);
    expect((await cli(['search', 'save', 'bad', '--env', 'prod'])).code).toBe(2);
    expect((await cli(['search', 'save', 'bad', '--app', 'no-such-app'])).code).toBe(1);

    expect((await cli(['search', 'save', 'temporary'])).code).toBe(0);
    const renamed = await cli(['search', 'rename', 'TEMPORARY', 'scratch']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stderr).toContain('Renamed saved search "temporary" to "scratch".');
    const renameTaken = await cli(['search', 'rename', 'scratch', 'BILLING PROD']);
    expect(renameTaken.code).toBe(1);
    expect(renameTaken.stderr).toContain('already exists');
    expect((await cli(['search', 'rename', 'scratch'])).code).toBe(2);
    const deleted = await cli(['search', 'delete', 'SCRATCH']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await cli(['search', 'list'])).stdout).not.toMatch(/temporary|scratch/);
    expect((await cli(['search', 'delete', 'scratch'])).code).toBe(1);

    // Each change is in the audit trail, named after the CLI run that made it; refused ones are not.
    const entries = query<{ actor: string; action: string; target: string; detail: string | null }>(
      "SELECT actor, action, target, detail FROM audit_log WHERE action LIKE 'search.%' ORDER BY seq",
    );
    expect(entries.map(({ action, target, detail }) => [action, target, detail])).toEqual([
      ['search.save', 'DB secrets', null],
      ['search.save', 'Billing prod', null],
      ['search.save', 'db secrets', 'replaced'],
      ['search.save', 'temporary', null],
      ['search.rename', 'scratch', 'renamed from "temporary"'],
      ['search.delete', 'scratch', null],
    ]);
    for (const entry of entries) expect(entry.actor).toMatch(/^cli:\d+$/);
    const verified = await cli(['audit', 'verify']);
    expect(verified.code, verified.stderr).toBe(0);
  }, 180_000);
});

describe('strongroom migrate: selection and references', () => {
  async function dryRunNames(args: string[]): Promise<string[]> {
    const result = await cli(['migrate', '--from', 'local', '--to', 'vault-a', ...args, '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { items: { name: string }[] }).items.map((item) => item.name).sort();
  }

  it('--saved-search selects what the saved search matches; filter options select alike; both together is a usage error', async () => {
    expect(await dryRunNames(['--saved-search', 'billing PROD'])).toEqual(['billing-db']);
    expect(await dryRunNames(['--saved-search', 'db secrets'])).toEqual(['billing-db', 'db-password', 'db-user']);
    expect(await dryRunNames(['--app', 'billing'])).toEqual(['billing-db']);
    expect(await dryRunNames(['--filter', 'token', '--type', 'text'])).toEqual(['api-token']);
    expect((await cli(['migrate', '--from', 'local', '--to', 'vault-a', '--saved-search', 'db secrets', '--filter', 'x', '--dry-run'])).code).toBe(2);
    const unknown = await cli(['migrate', '--from', 'local', '--to', 'vault-a', '--saved-search', 'nothing saved', '--dry-run']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No saved search named "nothing saved"');
    // Nothing moved.
    expect(query<{ n: number }>("SELECT COUNT(*) AS n FROM secrets WHERE manager_id = 'local'")).toEqual([{ n: 4 }]);
  }, 120_000);

  it('--keep-references: a reference the target reaches stays one and nothing is written remotely; one it cannot reach is copied in', async () => {
    const dry = await cli(['migrate', '--from', 'vault-a', '--to', 'vault-b', '--secret', 'shared-db', '--keep-references', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^shared-db\tmove\tStays a reference \(target reaches the same remote\): "vault-b" \(HashiCorp Vault\) has the same url, namespace, engine/);

    const writesBefore = vault.calls['kv-write'] ?? 0;
    const kept = await cli(['migrate', '--from', 'vault-a', '--to', 'vault-b', '--secret', 'shared-db', '--keep-references', '--json']);
    expect(kept.code, kept.stderr).toBe(0);
    const { items } = JSON.parse(kept.stdout) as { items: { name: string; outcome: string; detail: string }[] };
    expect(items).toEqual([expect.objectContaining({ name: 'shared-db', outcome: 'moved', detail: `stays a reference to ${referencePath}#password` })]);
    expect(vault.calls['kv-write'] ?? 0).toBe(writesBefore);
    expect(query("SELECT m.name AS manager, s.reference FROM secrets s JOIN managers m ON m.id = s.manager_id WHERE s.name = 'shared-db'")).toEqual([
      { manager: 'vault-b', reference: `${referencePath}#password` },
    ]);
    const revealed = await cli(['secret', 'reveal', 'shared-db']);
    expect(revealed.stdout).toBe(referencedValue);

    const copied = await cli(['migrate', '--from', 'vault-a', '--to', 'local', '--secret', 'shared-db-2', '--keep-references', '--dry-run']);
    expect(copied.stdout).toContain('shared-db-2\tmove\tThe target cannot reach the same remote: "Built-in store" (Built-in store (offline)) holds no references');
    expect((await cli(['migrate', '--from', 'vault-a', '--to', 'local', '--secret', 'shared-db-2', '--keep-references'])).code).toBe(0);
    expect(query("SELECT manager_id, reference FROM secrets WHERE name = 'shared-db-2'")).toEqual([{ manager_id: 'local', reference: null }]);
    expect((await cli(['secret', 'reveal', 'shared-db-2'])).stdout).toBe(referencedValue);
  }, 180_000);
});
