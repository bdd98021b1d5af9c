/**
 * secrets.inspectKey through the real core and delegate: a private key sealed
 * to the delegate comes back as its type and SHA256 fingerprint only (equal to
 * `ssh-keygen -lf`), in every format the store accepts; an encrypted key asks
 * for its passphrase; anything else is refused with a typed error that never
 * echoes the key, and nothing is stored or audited.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues } from '../../src-shared/contract.js';
import type { SealBinding } from '../../src-shared/sealed-box.js';
import { call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const KEY_PASSPHRASE = 'key passphrase';

describeNeeding(['ssh-keygen'], 'inspecting a private key before it is saved', () => {
  const dir = tempDir();
  let core: AppCore;
  const keys: Record<string, { private: string; fingerprint: string }> = {};

  const seal = async (values: string[], binding: SealBinding = sealBindings.keyInspect()) =>
    sealValues((await call(core, 'app.status', {})).delegatePublicKey!, binding, values);
  const inspect = async (privateKey: string, passphrase = '') => call(core, 'secrets.inspectKey', { sealedKey: await seal([privateKey, passphrase]) });

  beforeAll(async () => {
    for (const [name, args] of Object.entries({
      ed25519: ['-t', 'ed25519', '-N', ''],
      rsaPem: ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', KEY_PASSPHRASE],
      ecdsa: ['-t', 'ecdsa', '-N', ''],
      ed25519Encrypted: ['-t', 'ed25519', '-N', KEY_PASSPHRASE],
      rsaPkcs8: ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', KEY_PASSPHRASE],
      ecdsaPkcs8: ['-t', 'ecdsa', '-m', 'PKCS8', '-N', ''],
    })) {
      const file = join(dir.path, name);
      execFileSync('ssh-keygen', ['-q', ...args, '-f', file, '-C', name]);
      const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
      keys[name] = { private: readFileSync(file, 'utf8'), fingerprint };
    }
    core = await startCore(join(dir.path, 'store'));
    await createVault(core);
  }, 120_000);

  afterAll(async () => {
    await core?.close();
    dir.remove();
  });

  it.each([
    ['ed25519, OpenSSH', 'ed25519', '', 'ssh-ed25519'],
    ['rsa, PEM, with a passphrase', 'rsaPem', KEY_PASSPHRASE, 'ssh-rsa'],
    ['ecdsa, OpenSSH', 'ecdsa', '', 'ecdsa-sha2-nistp256'],
    ['ed25519, OpenSSH, with a passphrase', 'ed25519Encrypted', KEY_PASSPHRASE, 'ssh-ed25519'],
    ['rsa, PKCS#8, with a passphrase', 'rsaPkcs8', KEY_PASSPHRASE, 'ssh-rsa'],
    ['ecdsa, PKCS#8', 'ecdsaPkcs8', '', 'ecdsa-sha2-nistp256'],
  ])('reads %s: its type and the fingerprint ssh-keygen -lf prints', async (_name, key, passphrase, keyType) => {
    expect(await inspect(keys[key]!.private, passphrase)).toEqual({ ok: true, keyType, fingerprint: keys[key]!.fingerprint });
  });

  it.each([
    ['an encrypted OpenSSH key without its passphrase', 'ed25519Encrypted', '', 'keyPassphrase', /encrypted/],
    ['an encrypted PKCS#8 key without its passphrase', 'rsaPkcs8', '', 'keyPassphrase', /encrypted/],
    ['a wrong passphrase', 'rsaPem', 'not the passphrase', 'keyPassphrase', /Wrong passphrase/],
  ])('asks for the passphrase of %s', async (_name, key, passphrase, field, message) => {
    const result = await inspect(keys[key]!.private, passphrase);
    expect(result).toMatchObject({ ok: false, field });
    expect(result.ok === false && result.message).toMatch(message);
  });

  it('names the key field for text that is no private key, without echoing it', async () => {
    const result = await inspect('-----BEGIN NONSENSE-----\nc2VjcmV0LWNhbmFyeQ==\n-----END NONSENSE-----');
    expect(result).toMatchObject({ ok: false, field: 'privateKey' });
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0LWNhbmFyeQ');
  });

  it('refuses a key sealed for another purpose, or in another shape, or with extra fields', async () => {
    const forCreate = await seal([keys.ed25519!.private, ''], sealBindings.secretCreate(['x']));
    expect((await callError(core, 'secrets.inspectKey', { sealedKey: forCreate })).code).toBe('SEAL_INVALID');
    const keyAlone = await seal([keys.ed25519!.private]);
    const shapeError = await callError(core, 'secrets.inspectKey', { sealedKey: keyAlone });
    expect(shapeError.code).not.toBe('INTERNAL');
    expect(JSON.stringify(shapeError)).not.toContain('PRIVATE KEY');
    const extra = await callError(core, 'secrets.inspectKey', { sealedKey: await seal([keys.ed25519!.private, '']), privateKey: 'plain' });
    expect(extra.code).toBe('INVALID_REQUEST');
    // The delegate still answers after each refusal.
    expect((await inspect(keys.ed25519!.private)).ok).toBe(true);
  });

  it('stores and audits nothing, and answers only while the store is unlocked', async () => {
    const before = await call(core, 'audit.list', { limit: 500 });
    await inspect(keys.ecdsa!.private);
    expect((await call(core, 'audit.list', { limit: 500 })).items.length).toBe(before.items.length);
    expect((await call(core, 'secrets.list', {})).total).toBe(0);
    await call(core, 'vault.lock', {});
    expect((await callError(core, 'secrets.inspectKey', { sealedKey: await seal([keys.ecdsa!.private, '']) })).code).toBe('LOCKED');
  });
});
