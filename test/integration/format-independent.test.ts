// The store and backup formats, checked by a program that shares no code with
// Strongroom: decrypt-store.py was written from docs/format.md alone, so if the
// document and the code drift apart it cannot read what the real CLI and core write.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { chainHash } from '../../src-main/core/services/audit-log.js';
import { sealBindings, sealValues, type SecretMetadata, type SecretPayload, type SecretType } from '../../src-shared/contract.js';
import type { AppCore } from '../../src-main/core/app-core.js';
import { call, createSecret, createVault, startCore, updateValue } from '../support/core-harness.js';
import { describeNeeding, PYTHON } from '../fixtures/system-tools.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'strongroom.js');
const CLI_BUNDLE = join(ROOT, 'dist', 'main', 'cli.js');
const DECRYPTOR = join(ROOT, 'test', 'integration', 'decrypt-store.py');

// The passphrase reaches each side in a different form, neither of them NFC
// (decomposed in the CLI's file, half composed on the decryptor's stdin): only
// if both normalize to NFC, as the format says, do they derive the same key.
const PASSPHRASE = 'Crème brûlée, à sept heures ✓';
const FILE_FORM = PASSPHRASE.normalize('NFD');
const STDIN_FORM = `Crème${' brûlée, à sept heures ✓'.normalize('NFD')}`;

const VALUES = {
  'plain-token': 'tok_3f9a8c1d2e7b40aa',
  'multi-line': '-----BEGIN KEY-----\nline two\r\n\tindented line\n\n-----END KEY-----',
  // Values are stored byte for byte: the decomposed é must come back decomposed.
  unicode: 'Grüße, 秘密の鍵 🔑 «quoted» "double" \\ back e\u0301',
};
const ROTATED = { name: 'rotated', first: 'first value', second: 'second value, version 2' };

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Sealed decomposed, given to the decryptor composed: the backup key is NFC-normalized too.
const EXPORT_STDIN_FORM = 'Sauvegarde hors site, été ✓'.normalize('NFC');
const EXPORT_SEALED_FORM = EXPORT_STDIN_FORM.normalize('NFD');

interface Decrypted {
  secrets: Record<string, string | Record<string, unknown>>;
  audit: { intact: boolean; checked: number; pending: number; firstBrokenSeq: number | null; problem: string | null };
  rows?: { checked: number; tampered: Record<string, string> };
}

const running = new Set<ChildProcess>();

function run(command: string, args: string[], input = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
    // A decryptor that refuses early (a wrong passphrase) may exit before reading its input; its exit code and stderr are the outcome.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Whatever a failed or timed-out test left running is stopped by its pid. */
function stopRunning(): void {
  for (const child of running) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // It exited before its exit event was delivered.
    }
  }
  running.clear();
}

let work: string;
let dataDir: string;
let database: string;

async function cli(args: string[], input = ''): Promise<void> {
  const outcome = await run(process.execPath, [CLI, '--data-dir', dataDir, '--passphrase-file', join(work, 'passphrase'), ...args], input);
  if (outcome.code !== 0) throw new Error(`strongroom ${args.join(' ')} exited ${outcome.code}: ${outcome.stderr}`);
}

function decrypt(store: string, passphrase = STDIN_FORM): Promise<Outcome> {
  return run(PYTHON, [DECRYPTOR, store], `${passphrase}\n`);
}

function decryptBackup(file: string, passphrase = EXPORT_STDIN_FORM): Promise<Outcome> {
  return run(PYTHON, [DECRYPTOR, '--backup', file], `${passphrase}\n`);
}

/** A copy of the store taken with SQLite's online backup, to tamper with. */
async function copyOfStore(name: string): Promise<string> {
  const target = join(work, `${name}.db`);
  const source = new BetterSqlite3(database, { readonly: true });
  try {
    await source.backup(target);
  } finally {
    source.close();
  }
  return target;
}

beforeAll(async () => {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: build first with "node scripts/build.mjs" (npm test builds before vitest runs).`);
  work = mkdtempSync(join(tmpdir(), 'strongroom-format-'));
  dataDir = join(work, 'store');
  database = join(dataDir, 'strongroom.db');
  expect(new Set([PASSPHRASE, FILE_FORM, STDIN_FORM]).size).toBe(3);
  expect(STDIN_FORM.normalize('NFC')).toBe(PASSPHRASE);
  writeFileSync(join(work, 'passphrase'), `${FILE_FORM}\n`, { mode: 0o600 });

  await cli(['init']);
  for (const [name, value] of Object.entries(VALUES)) await cli(['secret', 'create', '--name', name], value);
  await cli(['secret', 'create', '--name', ROTATED.name], ROTATED.first);
  await cli(['secret', 'update', ROTATED.name], ROTATED.second);
});

afterEach(stopRunning);

afterAll(() => {
  stopRunning();
  if (work) rmSync(work, { recursive: true, force: true });
});

describeNeeding(['python3-cryptography'], 'an independent decryptor written from docs/format.md', () => {
  it('decrypts the current version of every secret the CLI stored and finds the audit trail intact', async () => {
    const outcome = await decrypt(database);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout) as Decrypted;
    expect(result.secrets).toEqual({ ...VALUES, [ROTATED.name]: ROTATED.second });

    const db = new BetterSqlite3(database, { readonly: true });
    const entries = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    db.close();
    expect(result.audit).toEqual({ intact: true, checked: entries, pending: 0, firstBrokenSeq: null, problem: null });
    expect(result.rows).toEqual({ checked: Object.keys(VALUES).length + 1, tampered: {} });
  });

  it('reports secrets rows whose names were swapped or whose current version was moved back by their MACs', async () => {
    const copy = await copyOfStore('forged-rows');
    const db = new BetterSqlite3(copy);
    const [first, second] = Object.keys(VALUES);
    db.transaction(() => {
      db.prepare("UPDATE secrets SET name = 'swap_tmp' WHERE name = ?").run(first);
      db.prepare('UPDATE secrets SET name = ? WHERE name = ?').run(first, second);
      db.prepare("UPDATE secrets SET name = ? WHERE name = 'swap_tmp'").run(second);
      db.prepare('UPDATE secrets SET current_version = 1 WHERE name = ?').run(ROTATED.name);
    })();
    db.close();

    const outcome = await decrypt(copy);
    expect(outcome.code).toBe(3);
    const result = JSON.parse(outcome.stdout) as Decrypted;
    expect(result.audit.intact).toBe(true);
    expect(Object.keys(result.rows!.tampered).sort()).toEqual([first!, second!, ROTATED.name].sort());
  });

  it('exits non-zero and prints no secrets when the passphrase is wrong', async () => {
    const outcome = await decrypt(database, 'Crème brûlée, à huit heures ✓');
    expect(outcome.code).not.toBe(0);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/wrong passphrase/);
  });

  it('reports an edited audit entry by its broken hash', async () => {
    const copy = await copyOfStore('edited');
    const db = new BetterSqlite3(copy);
    db.prepare("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2").run();
    db.close();

    const outcome = await decrypt(copy);
    expect(outcome.code).toBe(3);
    const result = JSON.parse(outcome.stdout) as Decrypted;
    expect(result.secrets[ROTATED.name]).toBe(ROTATED.second);
    expect(result.audit).toMatchObject({ intact: false, firstBrokenSeq: 2 });
    expect(result.audit.problem).toMatch(/altered/);
  });

  it('reports a chain rewritten without the audit key by its MACs', async () => {
    const copy = await copyOfStore('rewritten');
    const db = new BetterSqlite3(copy);
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as (Parameters<typeof chainHash>[1] & { hash: string })[];
    const update = db.prepare('UPDATE audit_log SET detail = ?, hash = ? WHERE seq = ?');
    const headRow = db.prepare("SELECT value FROM meta WHERE key = 'audit.head'").get() as { value: string };
    const head = JSON.parse(headRow.value) as { seq: number; hash: string; mac: string };
    db.transaction(() => {
      let previous = '';
      for (const row of rows) {
        const detail = row.seq === 2 ? 'nothing happened' : row.detail;
        const hash = chainHash(previous, { ...row, detail });
        update.run(detail, hash, row.seq);
        if (row.seq === head.seq) head.hash = hash;
        previous = hash;
      }
      // Consistent hashes everywhere, head included: only the MACs can tell.
      db.prepare("UPDATE meta SET value = ? WHERE key = 'audit.head'").run(JSON.stringify(head));
    })();
    db.close();

    const outcome = await decrypt(copy);
    expect(outcome.code).toBe(3);
    const result = JSON.parse(outcome.stdout) as Decrypted;
    expect(result.audit).toMatchObject({ intact: false, firstBrokenSeq: 2 });
    expect(result.audit.problem).toMatch(/MAC/);
  });
});

describeNeeding(['python3-cryptography'], 'the same decryptor on typed secrets and on a backup the core exports', () => {
  let typedDatabase: string;
  let backupFile: string;
  let fingerprint: string;
  const expected: Record<string, string | Record<string, unknown>> = {};

  async function createTyped<T extends Exclude<SecretType, 'text'>>(core: AppCore, name: string, type: T, metadata: SecretMetadata<T>, payload: SecretPayload<T>) {
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const sealedValue = await sealValues(delegatePublicKey!, sealBindings.secretCreate([name]), [JSON.stringify(payload)]);
    await call(core, 'secrets.create', { name, type, metadata, sealedValue });
    expected[name] = payload;
  }

  beforeAll(async () => {
    expect(EXPORT_SEALED_FORM).not.toBe(EXPORT_STDIN_FORM);
    const keyFile = join(work, 'id_ed25519');
    const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy@strongroom-test', '-f', keyFile]);
    expect(keygen).toMatchObject({ code: 0, stderr: '' });
    const listed = await run('ssh-keygen', ['-l', '-f', `${keyFile}.pub`]);
    fingerprint = listed.stdout.split(' ')[1]!;
    expect(fingerprint).toMatch(/^SHA256:/);
    // Every byte value, so a file that is not UTF-8 must survive base64 both ways.
    const fileBytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));

    const dataDir = join(work, 'typed');
    typedDatabase = join(dataDir, 'strongroom.db');
    const core = await startCore(dataDir);
    try {
      await createVault(core, FILE_FORM);
      await createTyped(core, 'deploy-key', 'ssh', { username: 'deploy', auth: 'key', port: 2222 }, { privateKey: readFileSync(keyFile, 'utf8') });
      await createTyped(
        core,
        'release-bundle',
        'file',
        { fileName: 'bundle.bin', mediaType: 'application/octet-stream', size: fileBytes.length },
        { contentBase64: fileBytes.toString('base64') },
      );
      const token = await createSecret(core, 'service-token', 'first token');
      await updateValue(core, token.id, 'second token, «current»');
      expected['service-token'] = 'second token, «current»';

      const { delegatePublicKey } = await call(core, 'app.status', {});
      const sealedPassphrase = await sealValues(delegatePublicKey!, sealBindings.backupExport(), [EXPORT_SEALED_FORM]);
      const exported = await call(core, 'backup.export', { sealedPassphrase });
      expect(exported.secrets).toBe(3);
      backupFile = join(work, exported.fileName);
      writeFileSync(backupFile, exported.content, { mode: 0o600 });
    } finally {
      await core.close();
    }
  });

  it('decrypts an ssh key and a file from the store as JSON objects', async () => {
    const outcome = await decrypt(typedDatabase);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout) as Decrypted;
    expect(result.secrets).toEqual(expected);
    expect(result.audit.intact).toBe(true);

    // The facts the format documents: the fingerprint is the one ssh-keygen prints.
    const db = new BetterSqlite3(typedDatabase, { readonly: true });
    const facts = db
      .prepare("SELECT v.facts FROM secrets s JOIN secret_versions v ON v.secret_id = s.id AND v.version = s.current_version WHERE s.name = 'deploy-key'")
      .get() as { facts: string };
    db.close();
    expect(JSON.parse(facts.facts)).toEqual({ keyType: 'ssh-ed25519', fingerprint, keyPassphrase: 'none' });
  });

  it('decrypts the backup to the same current values as the store', async () => {
    const [fromStore, fromBackup] = await Promise.all([decrypt(typedDatabase), decryptBackup(backupFile)]);
    expect(fromBackup.stderr).toBe('');
    expect(fromBackup.code).toBe(0);
    const backup = JSON.parse(fromBackup.stdout) as Pick<Decrypted, 'secrets'>;
    expect(backup).toEqual({ secrets: expected });
    expect(backup.secrets).toEqual((JSON.parse(fromStore.stdout) as Decrypted).secrets);
  });

  it('refuses the backup with a wrong export passphrase and prints no secrets', async () => {
    const outcome = await decryptBackup(backupFile, 'Sauvegarde hors site, hiver ✓');
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/wrong passphrase/);
  });
});
