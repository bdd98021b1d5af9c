// Password and key logins through ssh2 against a real sshd. Every case also
// runs the system ssh client with the same credential, and the tester's
// verdict must agree with ssh's exit status.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport, ReportStage } from '../../src-shared/connection-report.js';
import { knownHostsFrom, testSshCredential, type SshCredential, type SshTestOptions } from '../../src-delegate/connection/ssh/index.js';
import { generateKey, referenceSsh, startSshd, type ReferenceAuth, type SshdUser, type TestKey, type TestSshd } from '../fixtures/sshd.js';

const PASSPHRASE = 'correct horse battery';

let sshd: TestSshd;
let user: SshdUser;
let keys: Record<'ed25519' | 'ecdsa' | 'rsaPem' | 'rsaPkcs8' | 'ed25519Encrypted' | 'stranger', TestKey>;
let scratch: string;

beforeAll(async () => {
  sshd = await startSshd();
  const [ed25519, ecdsa, rsaPem, ed25519Encrypted, stranger] = await Promise.all([
    generateKey('ed25519'),
    generateKey('ecdsa'),
    generateKey('rsa', { format: 'PEM', passphrase: PASSPHRASE }),
    generateKey('ed25519', { passphrase: PASSPHRASE }),
    generateKey('ed25519'),
  ]);
  const rsaPkcs8 = await generateKey('rsa', { format: 'PKCS8' });
  keys = { ed25519, ecdsa, rsaPem, rsaPkcs8, ed25519Encrypted, stranger };
  user = await sshd.addUser({ authorizedKeys: [ed25519, ecdsa, rsaPem, rsaPkcs8, ed25519Encrypted].map((key) => key.publicKey) });
  scratch = await mkdtemp(join(tmpdir(), 'sr-ssh-auth-'));
});

afterAll(async () => {
  await sshd?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function options(extra: Partial<SshTestOptions> = {}): SshTestOptions {
  const entries = sshd.hostKeys.map((key) => ({ host: '127.0.0.1', port: sshd.port, keyType: key.keyType, fingerprint: key.fingerprint }));
  return { knownHosts: knownHostsFrom(entries), mask: (text) => text, ...extra };
}

async function test(credential: SshCredential, extra: Partial<SshTestOptions> = {}): Promise<ConnectionReport> {
  return testSshCredential(credential, { host: '127.0.0.1', port: sshd.port }, options(extra));
}

async function reference(auth: ReferenceAuth) {
  return referenceSsh({ port: sshd.port, user: user.name, knownHosts: sshd.knownHosts(), auth });
}

/** The tester and the system client on the same case, side by side. */
function both(credential: SshCredential, auth: ReferenceAuth, extra: Partial<SshTestOptions> = {}) {
  return Promise.all([test(credential, extra), reference(auth)]);
}

function stage(report: ConnectionReport, name: ReportStage['stage']): ReportStage {
  const found = report.stages.find((entry) => entry.stage === name);
  if (!found) throw new Error(`no ${name} stage in ${JSON.stringify(report)}`);
  return found;
}

describe('password', () => {
  it('logs in, with every stage reported, like ssh', async () => {
    const seen: string[] = [];
    const [report, ref] = await both(
      { kind: 'password', username: user.name, password: user.password },
      { password: user.password },
      { onStage: (entry) => seen.push(entry.stage) },
    );

    expect(report.error).toBeNull();
    expect(report).toMatchObject({ kind: 'ssh', host: '127.0.0.1', port: sshd.port, ok: true });
    expect(report.stages.map((entry) => [entry.stage, entry.status])).toEqual([
      ['dns', 'ok'],
      ['tcp', 'ok'],
      ['handshake', 'ok'],
      ['auth', 'ok'],
      ['probe', 'ok'],
    ]);
    expect(seen).toEqual(['dns', 'tcp', 'handshake', 'auth', 'probe']);
    expect(stage(report, 'dns').details.addresses).toEqual(['127.0.0.1']);
    expect(stage(report, 'tcp').details.address).toBe('127.0.0.1');
    const ed25519 = sshd.hostKeys.find((key) => key.keyType === 'ssh-ed25519')!;
    expect(stage(report, 'handshake').details).toMatchObject({ hostKeyType: 'ssh-ed25519', fingerprint: ed25519.fingerprint, hostKey: 'known' });
    expect(stage(report, 'auth').details.offered).toEqual(expect.arrayContaining(['publickey', 'password']));
    expect(stage(report, 'auth').details.used).toBe('password');
    expect(stage(report, 'probe').details).toMatchObject({ command: 'whoami', output: user.name });
    expect(JSON.stringify(report)).not.toContain(user.password);

    expect(ref.status).toBe(0);
    expect(ref.stdout.trim()).toBe(user.name);
  });

  it('names the methods the server allows when the password is wrong, like ssh', async () => {
    const [report, ref] = await both({ kind: 'password', username: user.name, password: 'not-the-password' }, { password: 'not-the-password' });

    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', details: { allowed: expect.arrayContaining(['password', 'publickey']) } });
    expect(report.error!.message).toMatch(/rejected the password.*publickey/);
    expect(stage(report, 'auth').status).toBe('failed');
    expect(report.stages.some((entry) => entry.stage === 'probe')).toBe(false);
    expect(ref.status).toBe(255);
  });

  it('passes every string of the report and of the live log through the mask', async () => {
    const mask = (text: string) => text.split(user.name).join('[redacted]');
    const live: ReportStage[] = [];
    const report = await test({ kind: 'password', username: user.name, password: user.password }, { mask, onStage: (entry) => live.push(entry) });

    expect(report.ok).toBe(true);
    expect(stage(report, 'probe').details.output).toBe('[redacted]');
    expect(live.find((entry) => entry.stage === 'probe')!.details.output).toBe('[redacted]');
    expect(JSON.stringify(report)).not.toContain(user.name);
  });
});

describe('password through keyboard-interactive', () => {
  let pamOnly: TestSshd;
  let pamUser: SshdUser;

  beforeAll(async () => {
    pamOnly = await startSshd({ passwordVia: 'keyboard-interactive' });
    pamUser = await pamOnly.addUser();
  });

  afterAll(async () => {
    await pamOnly?.stop();
  });

  function bothOnPamOnly(password: string) {
    const known = pamOnly.hostKeys.map((key) => ({ host: '127.0.0.1', port: pamOnly.port, keyType: key.keyType, fingerprint: key.fingerprint }));
    return Promise.all([
      testSshCredential(
        { kind: 'password', username: pamUser.name, password },
        { host: '127.0.0.1', port: pamOnly.port },
        { knownHosts: knownHostsFrom(known), mask: (text) => text },
      ),
      referenceSsh({ port: pamOnly.port, user: pamUser.name, knownHosts: pamOnly.knownHosts(), auth: { password } }),
    ]);
  }

  it('answers the password prompt when the server takes passwords only that way, like ssh', async () => {
    const [report, ref] = await bothOnPamOnly(pamUser.password);

    expect(report.error).toBeNull();
    expect(stage(report, 'auth').details).toMatchObject({ used: 'keyboard-interactive' });
    expect(stage(report, 'auth').details.offered).not.toContain('password');
    expect(ref.status).toBe(0);
  });

  it('reports a wrong password given that way, like ssh', async () => {
    const [report, ref] = await bothOnPamOnly('not-the-password');

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', details: { allowed: expect.arrayContaining(['keyboard-interactive']) } });
    expect(ref.status).toBe(255);
  });
});

describe('private keys', () => {
  const good: [string, () => TestKey, string | undefined][] = [
    ['ed25519 in OpenSSH format', () => keys.ed25519, undefined],
    ['ed25519 in OpenSSH format with a passphrase', () => keys.ed25519Encrypted, PASSPHRASE],
    ['rsa in PEM format with a passphrase', () => keys.rsaPem, PASSPHRASE],
    ['rsa in PKCS#8 PEM format', () => keys.rsaPkcs8, undefined],
    ['ecdsa', () => keys.ecdsa, undefined],
  ];

  it.each(good)('logs in with %s, like ssh', async (_name, key, passphrase) => {
    const [report, ref] = await both({ kind: 'private-key', username: user.name, privateKey: key().privateKey, passphrase }, { privateKey: key().privateKey, passphrase });

    expect(report.error).toBeNull();
    expect(stage(report, 'auth').details).toMatchObject({ used: 'publickey', keyFingerprint: key().fingerprint });
    expect(stage(report, 'probe').details.output).toBe(user.name);
    expect(ref.status).toBe(0);
  });

  it('logs in with a key file on this machine', async () => {
    const path = join(scratch, 'id_ed25519');
    await writeFile(path, keys.ed25519.privateKey, { mode: 0o600 });
    const report = await test({ kind: 'key-path', username: user.name, path });

    expect(report.error).toBeNull();
    expect(stage(report, 'auth').details.keyFingerprint).toBe(keys.ed25519.fingerprint);
  });

  it('reports a missing key file as a key problem', async () => {
    const report = await test({ kind: 'key-path', username: user.name, path: join(scratch, 'missing') });

    expect(report.error).toMatchObject({ code: 'UNSUPPORTED_KEY_FORMAT' });
    expect(report.error!.message).toContain('ENOENT');
  });

  it('rejects a key the user has not authorized, like ssh', async () => {
    const [report, ref] = await both({ kind: 'private-key', username: user.name, privateKey: keys.stranger.privateKey }, { privateKey: keys.stranger.privateKey });

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', details: { allowed: expect.arrayContaining(['publickey']) } });
    expect(ref.status).toBe(255);
  });

  it('reports a wrong passphrase as such, like ssh', async () => {
    const [report, ref] = await both(
      { kind: 'private-key', username: user.name, privateKey: keys.rsaPem.privateKey, passphrase: 'wrong passphrase' },
      { privateKey: keys.rsaPem.privateKey, passphrase: 'wrong passphrase' },
    );

    expect(report.error).toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect(stage(report, 'auth').status).toBe('failed');
    expect(ref.status).toBe(255);
  });

  it('reports a missing passphrase as a wrong one, like ssh', async () => {
    const [report, ref] = await both({ kind: 'private-key', username: user.name, privateKey: keys.ed25519Encrypted.privateKey }, { privateKey: keys.ed25519Encrypted.privateKey });

    expect(report.error).toMatchObject({ code: 'WRONG_PASSPHRASE', message: expect.stringContaining('no passphrase') });
    expect(ref.status).toBe(255);
  });

  it.each([
    ['a truncated key', () => keys.ed25519.privateKey.slice(0, 200)],
    ['a public key', () => keys.ed25519.publicKey],
    ['text that is no key', () => 'hello'],
  ])('reports %s as an unsupported key format, like ssh', async (_name, text) => {
    const [report, ref] = await both({ kind: 'private-key', username: user.name, privateKey: text() }, { privateKey: text() });

    expect(report.error).toMatchObject({ code: 'UNSUPPORTED_KEY_FORMAT' });
    expect(ref.status).toBe(255);
  });
});
