/** Every secret type through the real core and delegate: validation, facts, versions, rollback. */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { createSealRecipient, sealBindings, sealValues, type IpcError, type SecretSummary, type SecretType } from '../../src-shared/contract.js';
import { call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';
import { missingToolsReason } from '../fixtures/system-tools.js';

describe('secret types', () => {
  const dir = tempDir();
  let core: AppCore;
  const keys: Record<string, { private: string; fingerprint: string }> = {};

  const publicKey = async () => (await call(core, 'app.status', {})).delegatePublicKey!;
  const create = async (name: string, type: SecretType, metadata: Record<string, unknown>, payload: unknown) => {
    const sealedValue = await sealValues(await publicKey(), sealBindings.secretCreate([name]), [typeof payload === 'string' ? payload : JSON.stringify(payload)]);
    return (await core.handle('secrets.create', { name, type, metadata, sealedValue })) as { ok: true; value: SecretSummary } | { ok: false; error: IpcError };
  };
  const reveal = async (id: string, version?: number) => {
    const recipient = await createSealRecipient();
    const { sealed } = await call(core, 'secrets.reveal', { id, version, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
    return (await recipient.open(sealed, sealBindings.secretReveal([id])))[0]!;
  };

  beforeAll(async () => {
    for (const [name, args] of Object.entries({
      ed25519: ['-t', 'ed25519', '-N', ''],
      rsaPem: ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'key passphrase'],
      ecdsa: ['-t', 'ecdsa', '-N', ''],
      // PKCS#8, as `ssh-keygen -m PKCS8` writes it (RSA encrypted, ECDSA not); `ssh -i` and the tester read both.
      rsaPkcs8: ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', 'key passphrase'],
      ecdsaPkcs8: ['-t', 'ecdsa', '-m', 'PKCS8', '-N', ''],
    })) {
      const file = join(dir.path, name);
      execFileSync('ssh-keygen', ['-q', ...args, '-f', file, '-C', name]);
      const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
      keys[name] = { private: readFileSync(file, 'utf8'), fingerprint };
    }
    core = await startCore(join(dir.path, 'store'));
    await createVault(core);
  });
  afterAll(async () => {
    await core?.close();
    dir.remove();
  });

  it.each([
    ['ed25519 in OpenSSH format', 'ed25519', undefined, 'ssh-ed25519'],
    ['rsa in PEM format with a passphrase', 'rsaPem', 'key passphrase', 'ssh-rsa'],
    ['ecdsa', 'ecdsa', undefined, 'ecdsa-sha2-nistp256'],
    ['rsa in PKCS#8 with a passphrase (ssh-keygen -m PKCS8)', 'rsaPkcs8', 'key passphrase', 'ssh-rsa'],
    ['ecdsa in PKCS#8 (ssh-keygen -m PKCS8)', 'ecdsaPkcs8', undefined, 'ecdsa-sha2-nistp256'],
  ])('parses an SSH key (%s) at entry and keeps only its type and fingerprint', async (_name, key, passphrase, keyType) => {
    const name = `ssh_${key}`;
    const result = await create(name, 'ssh', { username: 'deploy', auth: 'key' }, { privateKey: keys[key]!.private, keyPassphrase: passphrase });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.facts).toEqual({ keyType, fingerprint: keys[key]!.fingerprint, keyPassphrase: passphrase ? 'set' : 'none' });
    expect(result.value.metadata).toEqual({ username: 'deploy', auth: 'key', port: 22 });
    expect(JSON.parse(await reveal(result.value.id))).toMatchObject({ privateKey: keys[key]!.private });
  });

  it.each<[string, { privateKey?: string; keyPassphrase?: string }, string, RegExp]>([
    ['a malformed key', { privateKey: 'not a key at all' }, 'privateKey', /PEM, PKCS#8 or OpenSSH/],
    ['a wrong passphrase for a PKCS#8 key', { privateKey: 'RSA_PKCS8', keyPassphrase: 'wrong' }, 'keyPassphrase', /Wrong passphrase/],
    ['a wrong key passphrase', { privateKey: 'RSA', keyPassphrase: 'wrong' }, 'keyPassphrase', /Wrong passphrase/],
    ['an encrypted key without its passphrase', { privateKey: 'RSA' }, 'keyPassphrase', /encrypted/],
    ['key auth without a key', {}, 'privateKey', /required/],
  ])('refuses %s at once, naming the field and never echoing the key', async (_name, payload, path, message) => {
    const stand = { RSA: keys.rsaPem, RSA_PKCS8: keys.rsaPkcs8 }[payload.privateKey ?? ''];
    const withKey = { ...payload, ...(stand ? { privateKey: stand.private } : {}) };
    const result = await create('bad_key', 'ssh', { username: 'deploy', auth: 'key' }, withKey);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_REQUEST');
    expect(result.error.issues?.find((issue) => issue.path === path)?.message).toMatch(message);
    expect(JSON.stringify(result.error)).not.toContain('PRIVATE KEY');
    expect((await call(core, 'secrets.list', { query: 'bad_key' })).total).toBe(0);
  });

  it('reads a key path on this machine and refuses one it cannot read', async () => {
    const ok = await create('ssh_path', 'ssh', { username: 'ops', auth: 'key-path', keyPath: join(dir.path, 'ed25519'), port: 2222 }, {});
    expect(ok).toMatchObject({ ok: true, value: { facts: { keyType: 'ssh-ed25519' }, metadata: { port: 2222 } } });
    const missing = await create('ssh_missing', 'ssh', { username: 'ops', auth: 'key-path', keyPath: join(dir.path, 'nope') }, {});
    expect(missing).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', issues: [{ path: 'keyPath' }] } });
  });

  it.each([
    ['RSA', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'ssh-rsa'],
    ['EC P-256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ecdsa-sha2-nistp256'],
  ])('accepts a PKCS#8 %s key from openssl genpkey, with the fingerprint ssh-keygen gives it', async (label, args, keyType) => {
    const missing = missingToolsReason(['openssl']);
    if (missing) {
      console.warn(`skipped: ${missing}`);
      return;
    }
    const file = join(dir.path, `genpkey-${keyType}`);
    execFileSync('openssl', ['genpkey', ...args, '-out', file]);
    chmodSync(file, 0o600);
    const publicLine = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
    const fingerprint = execFileSync('ssh-keygen', ['-lf', '-'], { input: publicLine, encoding: 'utf8' }).split(' ')[1]!;
    const privateKey = readFileSync(file, 'utf8');
    expect(privateKey).toContain('-----BEGIN PRIVATE KEY-----');
    const result = await create(`genpkey_${label.replace(/\W/g, '')}`, 'ssh', { username: 'deploy', auth: 'key' }, { privateKey });
    expect(result).toMatchObject({ ok: true, value: { facts: { keyType, fingerprint, keyPassphrase: 'none' } } });
  });

  it('validates metadata before anything is sealed or stored', async () => {
    const result = await create('ssh_bad_meta', 'ssh', { username: 'has space', auth: 'password', port: 70000 }, { password: 'pw' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues?.map((issue) => issue.path).sort()).toEqual(['metadata.port', 'metadata.username']);
  });

  it.each<[string, SecretType, Record<string, unknown>, unknown, Record<string, unknown>]>([
    ['SSH with a password', 'ssh', { username: 'root', auth: 'password' }, { password: 'pw-1' }, {}],
    ['SSH via Kerberos with a keytab', 'ssh-kerberos', { principal: 'alice', realm: 'EXAMPLE.TEST', kdc: '127.0.0.1:8888', tgtSource: 'keytab', keytabPath: '/etc/alice.keytab' }, {}, {}],
    ['SSH via Kerberos with a password', 'ssh-kerberos', { principal: 'bob', realm: 'EXAMPLE.TEST', tgtSource: 'password' }, { password: 'kpw' }, {}],
    ['a Vault-signed certificate before Vault managers exist', 'ssh-vault-certificate', { username: 'deploy', mount: 'ssh-client-signer', role: 'deploy' }, { privateKey: 'ED' }, { keyType: 'ssh-ed25519' }],
    ['WinRM over NTLM with SSL', 'winrm', { domain: 'CORP', username: 'admin', auth: 'ntlm', useSsl: true, port: 5986 }, { password: 'winpw' }, {}],
    ['a file', 'file', { fileName: 'cert.p12', mediaType: 'application/x-pkcs12', size: 5 }, { contentBase64: Buffer.from('hello').toString('base64') }, { size: 5 }],
  ])('stores %s', async (label, type, metadata, payload, facts) => {
    const realPayload = type === 'ssh-vault-certificate' ? { privateKey: keys.ed25519!.private } : payload;
    const name = label.replace(/[^A-Za-z0-9]+/g, '_').slice(0, 40);
    const result = await create(name, type, metadata, realPayload);
    expect(result).toMatchObject({ ok: true, value: { type, facts } });
    if (result.ok) expect(JSON.parse(await reveal(result.value.id))).toEqual(realPayload);
  });

  it.each<[string, SecretType, Record<string, unknown>, unknown, string]>([
    ['WinRM Kerberos without a realm', 'winrm', { username: 'admin', auth: 'kerberos' }, { password: 'x' }, 'realm'],
    ['Kerberos password source without a password', 'ssh-kerberos', { principal: 'a', realm: 'R', tgtSource: 'password' }, {}, 'password'],
    ['a file whose size was misstated', 'file', { fileName: 'a.bin', size: 99 }, { contentBase64: 'aGk=' }, 'file'],
  ])('refuses %s', async (_label, type, metadata, payload, path) => {
    const result = await create('refused', type, metadata, payload);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    if (!result.ok) expect(result.error.issues?.map((issue) => issue.path)).toContain(path);
  });

  it('stores a 10 MiB file and refuses anything larger', async () => {
    const content = Buffer.alloc(10 * 1024 * 1024, 7);
    const ok = await create('big_file', 'file', { fileName: 'big.bin', size: content.length }, { contentBase64: content.toString('base64') });
    expect(ok).toMatchObject({ ok: true, value: { facts: { size: content.length } } });
    if (ok.ok) expect(Buffer.from(JSON.parse(await reveal(ok.value.id)).contentBase64, 'base64').equals(content)).toBe(true);
    const tooBig = await create('too_big', 'file', { fileName: 'big.bin', size: content.length + 1 }, { contentBase64: '' });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  describe('versions', () => {
    let id: string;
    const setValue = async (value: string) => {
      const sealedValue = await sealValues(await publicKey(), sealBindings.secretUpdate(id), [value]);
      return call(core, 'secrets.update', { id, sealedValue });
    };

    it('keeps every value as a version with time and author, and reveals old ones', async () => {
      const created = await create('versioned', 'text', {}, 'value 1');
      if (!created.ok) throw new Error(created.error.message);
      id = created.value.id;
      await setValue('value 2');
      await setValue('value 3');
      const { items } = await call(core, 'secrets.versions', { id });
      expect(items.map((version) => [version.version, version.current, version.createdBy])).toEqual([
        [3, true, 'desktop'],
        [2, false, 'desktop'],
        [1, false, 'desktop'],
      ]);
      expect(await reveal(id, 1)).toBe('value 1');
      expect(await reveal(id)).toBe('value 3');
    });

    it('rolls back by creating a new version equal to an old one', async () => {
      const rolled = await call(core, 'secrets.rollback', { id, toVersion: 1 });
      expect(rolled.version).toBe(4);
      expect(await reveal(id)).toBe('value 1');
      expect(await reveal(id, 3)).toBe('value 3');
      expect((await callError(core, 'secrets.rollback', { id, toVersion: 4 })).code).toBe('INVALID_REQUEST');
      const audit = await call(core, 'audit.list', { limit: 5 });
      expect(audit.items.map((entry) => entry.action)).toContain('secret.rollback');
    });

    it('prunes beyond the retention setting and never below 10', async () => {
      expect((await callError(core, 'settings.update', { versionRetention: 9 })).code).toBe('INVALID_REQUEST');
      for (let i = 5; i <= 14; i++) await setValue(`value ${i}`);
      const { items } = await call(core, 'secrets.versions', { id });
      expect(items).toHaveLength(10);
      expect(items[0]).toMatchObject({ version: 14, current: true });
      expect(items[9]!.version).toBe(5);
      expect((await callError(core, 'secrets.reveal', { id, version: 2, recipientPublicKey: (await createSealRecipient()).publicKey, purpose: 'reveal' })).code).toBe('NOT_FOUND');
    });
  });

  it('filters by type and sorts', async () => {
    const ssh = await call(core, 'secrets.list', { types: ['ssh'], sort: 'name' });
    expect(ssh.items.every((item) => item.type === 'ssh')).toBe(true);
    expect(ssh.total).toBeGreaterThanOrEqual(4);
    const byName = ssh.items.map((item) => item.name);
    expect(byName).toEqual([...byName].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const desc = await call(core, 'secrets.list', { types: ['ssh'], sort: 'name', direction: 'desc' });
    expect(desc.items.map((item) => item.name)).toEqual([...byName].reverse());
    const search = await call(core, 'secrets.list', { query: 'ed2551' });
    expect(search.items.map((item) => item.name)).toEqual(['ssh_ed25519']);
    const underscore = await call(core, 'secrets.list', { query: 'h_ed' });
    expect(underscore.items.map((item) => item.name)).toEqual(['ssh_ed25519']);
  });
});
