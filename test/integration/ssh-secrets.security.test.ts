// No secret of an SSH test reaches a command line or an environment (both
// readable through /proc), and the files the system tools read them from sit
// in a 0700 folder, each 0600, removed when the test ends. Every process
// started while the tests run is recorded, the fixtures' included.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { knownHostsFrom, testSshCredential, type SshCredential } from '../../src-delegate/connection/ssh/index.js';
import { startKdc, type TestKdc } from '../fixtures/kdc.js';
import { createUserCa, generateKey, startSshd, type SshdUser, type TestKey, type TestSshd, type TestUserCa } from '../fixtures/sshd.js';

interface Spawned {
  command: string;
  args: readonly string[];
  env: unknown;
  /** Modes of the private folder and its files when the system ssh client started. */
  folder?: { path: string; mode: number; files: Record<string, number> };
}

const recorder = vi.hoisted(() => ({ spawned: [] as Spawned[] }));

vi.mock('node:child_process', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:child_process')>();
  const spawn = (command: string, args: readonly string[] = [], options: { env?: unknown } = {}) => {
    const entry: Spawned = { command, args, env: options.env };
    const knownHosts = args.find((arg) => arg.startsWith('UserKnownHostsFile='));
    if (command === 'ssh' && knownHosts) {
      const path = dirname(knownHosts.slice('UserKnownHostsFile='.length));
      const files = Object.fromEntries(readdirSync(path).map((name) => [name, statSync(join(path, name)).mode & 0o777]));
      entry.folder = { path, mode: statSync(path).mode & 0o777, files };
    }
    recorder.spawned.push(entry);
    return original.spawn(command, args, options as Parameters<typeof original.spawn>[2]);
  };
  return { ...original, spawn };
});

const PASSPHRASE = 'correct horse battery';
const KERBEROS_PASSWORD = 'kerberos-secret-pw';

let kdc: TestKdc;
let ca: TestUserCa;
let sshd: TestSshd;
let user: SshdUser;
let key: TestKey;
let scratch: string;
let keytabBase64: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sr-ssh-sec-'));
  [kdc, ca, key] = await Promise.all([startKdc(), createUserCa(), generateKey('ed25519', { passphrase: PASSPHRASE })]);
  const hostKeytab = join(scratch, 'sshd.keytab');
  await kdc.exportKeytab(await kdc.addRandomKeyPrincipal('host/localhost'), hostKeytab);
  sshd = await startSshd({ trustedUserCaKey: ca.publicKey, krb5: { keytab: hostKeytab, env: kdc.env } });
  user = await sshd.addUser();
  await kdc.addPrincipal(user.name, KERBEROS_PASSWORD);
  const userKeytab = join(scratch, 'user.keytab');
  await kdc.exportKeytab(user.name, userKeytab, { norandkey: true });
  keytabBase64 = (await readFile(userKeytab)).toString('base64');
});

afterAll(async () => {
  await sshd?.stop();
  await kdc?.stop();
  await ca?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  recorder.spawned.length = 0;
});

function secrets(): string[] {
  // Every line of the key's body, so no part of it can slip through.
  const keyLines = key.privateKey.split('\n').filter((line) => line && !line.startsWith('-----'));
  return [user.password, PASSPHRASE, KERBEROS_PASSWORD, keytabBase64, ...keyLines];
}

async function run(credential: SshCredential, host = '127.0.0.1') {
  const known = sshd.hostKeys.map((entry) => ({ host, port: sshd.port, keyType: entry.keyType, fingerprint: entry.fingerprint }));
  const report = await testSshCredential(credential, { host, port: sshd.port }, {
    knownHosts: knownHostsFrom(known),
    mask: (text) => text,
    signPublicKey: (publicKey, username) => ca.sign(publicKey, { principals: [username] }),
  });
  expect(report.error).toBeNull();
  return report;
}

function expectNoSecretsSpawned(): void {
  expect(recorder.spawned.length).toBeGreaterThan(0);
  for (const entry of recorder.spawned) {
    const visible = JSON.stringify([entry.command, entry.args, entry.env]);
    for (const secret of secrets()) expect(visible, `${entry.command} ${entry.args.join(' ')}`).not.toContain(secret);
  }
}

function expectPrivateFolder(): void {
  const ssh = recorder.spawned.filter((entry) => entry.folder);
  expect(ssh).toHaveLength(1);
  const folder = ssh[0]!.folder!;
  expect(folder.mode).toBe(0o700);
  for (const [name, mode] of Object.entries(folder.files)) expect(mode, name).toBe(0o600);
  expect(existsSync(folder.path)).toBe(false);
}

describe('secrets stay off command lines and environments', () => {
  it('with a password', async () => {
    await run({ kind: 'password', username: user.name, password: user.password });
    // ssh2 logs in without any process; only the fixtures ran some.
    expect(recorder.spawned.filter((entry) => entry.command === 'ssh')).toHaveLength(0);
    for (const entry of recorder.spawned) expect(JSON.stringify(entry)).not.toContain(user.password);
  });

  it('with an encrypted key and a certificate signed on the way', async () => {
    const report = await run({ kind: 'certificate', username: user.name, privateKey: key.privateKey, passphrase: PASSPHRASE });
    expect(report.stages.find((stage) => stage.stage === 'auth')!.details.certificateSource).toBe('signed');
    expectNoSecretsSpawned();
    expectPrivateFolder();
  });

  it('with a Kerberos password', async () => {
    await run({ kind: 'kerberos', principal: user.name, realm: kdc.realm, kdc: `127.0.0.1:${kdc.port}`, ticket: { source: 'password', password: KERBEROS_PASSWORD } }, 'localhost');
    expect(recorder.spawned.map((entry) => entry.command)).toEqual(expect.arrayContaining(['kinit', 'kvno', 'klist', 'ssh']));
    expectNoSecretsSpawned();
    expectPrivateFolder();
  });

  it('with a keytab given as content', async () => {
    await run({ kind: 'kerberos', principal: user.name, realm: kdc.realm, kdc: `127.0.0.1:${kdc.port}`, ticket: { source: 'keytab-content', keytabBase64 } }, 'localhost');
    expectNoSecretsSpawned();
    expectPrivateFolder();
  });
});
