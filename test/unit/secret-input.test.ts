/**
 * `strongroom secret create` reads each type's fields from its flags, stdin
 * and the files its flags name, by the field specs alone
 * (src-main/cli/secret-input.ts): these cases pin what each type stores, and
 * the usage errors the specs' rules give.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secretMetadataSchemas, secretPayloadSchemas, type SecretType } from '../../src-shared/secret-types.js';
import { SecretUsageError, secretFromOptions, type SecretOptions } from '../../src-main/cli/secret-input.js';

const dir = mkdtempSync(join(tmpdir(), 'strongroom-secret-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** Reads the options as `secret create` does; stdin is counted, so a case shows whether the secret came from there. */
async function read(options: SecretOptions & Record<string, unknown>, stdinText = 'from-stdin') {
  let stdinReads = 0;
  const secret = await secretFromOptions(options as SecretOptions, {
    stdin: () => {
      stdinReads += 1;
      return Promise.resolve(stdinText);
    },
    managerId: (name) => Promise.resolve(`id-of-${name}`),
  });
  const payload: unknown = secret.type === 'text' ? secret.payload : JSON.parse(secret.payload);
  // What the CLI builds passes the same schemas main and the delegate check.
  expect(secretMetadataSchemas[secret.type].safeParse(secret.metadata).success, JSON.stringify(secret.metadata)).toBe(true);
  expect(secretPayloadSchemas[secret.type].safeParse(payload).success).toBe(true);
  return { type: secret.type, metadata: secret.metadata, payload, stdinReads };
}

const usageError = (options: Record<string, unknown>) => expect(read(options as SecretOptions)).rejects.toThrow(SecretUsageError);

describe('secret create, from the field specs', () => {
  it('reads a text secret from stdin as its value itself', async () => {
    expect(await read({}, 'multi\nline')).toEqual({ type: 'text', metadata: {}, payload: 'multi\nline', stdinReads: 1 });
  });

  it('reads a file named by --file, its name and size following from it', async () => {
    const path = file('blob.bin', Buffer.from([0, 1, 2, 255]));
    expect(await read({ type: 'file', file: path })).toEqual({ type: 'file', metadata: { fileName: 'blob.bin', size: 4 }, payload: { contentBase64: 'AAEC/w==' }, stdinReads: 0 });
  });

  it('reads an SSH credential by its --auth: a password or a key from stdin, a key and passphrase from files, a key path', async () => {
    const ssh = { type: 'ssh', username: 'deploy' };
    expect(await read({ ...ssh, auth: 'password' })).toEqual({ type: 'ssh', metadata: { username: 'deploy', auth: 'password', port: 22 }, payload: { password: 'from-stdin' }, stdinReads: 1 });
    expect((await read({ ...ssh, auth: 'key', port: '2222' })).payload).toEqual({ privateKey: 'from-stdin' });
    const keyFile = file('id_ed25519', 'KEY TEXT\n');
    const passphraseFile = file('passphrase', 'secret words\nignored\n');
    expect(await read({ ...ssh, auth: 'key', 'key-file': keyFile, 'key-passphrase-file': passphraseFile })).toEqual({
      type: 'ssh',
      metadata: { username: 'deploy', auth: 'key', port: 22 },
      payload: { privateKey: 'KEY TEXT\n', keyPassphrase: 'secret words' },
      stdinReads: 0,
    });
    expect(await read({ ...ssh, auth: 'key-path', 'key-path': '/home/deploy/.ssh/id' })).toEqual({
      type: 'ssh',
      metadata: { username: 'deploy', auth: 'key-path', keyPath: '/home/deploy/.ssh/id', port: 22 },
      payload: {},
      stdinReads: 0,
    });
  });

  it('takes where a Kerberos ticket comes from from --keytab, or else a password on stdin', async () => {
    const kerberos = { type: 'ssh-kerberos', principal: 'alice', realm: 'EXAMPLE.TEST' };
    expect(await read(kerberos)).toEqual({ type: 'ssh-kerberos', metadata: { principal: 'alice', realm: 'EXAMPLE.TEST', tgtSource: 'password', port: 22 }, payload: { password: 'from-stdin' }, stdinReads: 1 });
    expect(await read({ ...kerberos, keytab: '/etc/alice.keytab', kdc: 'kdc.example.test:88' })).toEqual({
      type: 'ssh-kerberos',
      metadata: { principal: 'alice', realm: 'EXAMPLE.TEST', kdc: 'kdc.example.test:88', tgtSource: 'keytab', keytabPath: '/etc/alice.keytab', port: 22 },
      payload: {},
      stdinReads: 0,
    });
  });

  it('binds a Vault-signed certificate to the manager --vault-manager names, by its id', async () => {
    const secret = await read({ type: 'ssh-vault-certificate', username: 'deploy', 'vault-manager': 'Team Vault', mount: 'ssh-client-signer', role: 'strongroom' });
    expect(secret.metadata).toEqual({ username: 'deploy', vaultManagerId: 'id-of-Team Vault', mount: 'ssh-client-signer', role: 'strongroom', port: 22 });
    expect(secret.payload).toEqual({ privateKey: 'from-stdin' });
  });

  it('reads WinRM switches, a port that follows --ssl, and Kerberos from a keytab', async () => {
    const winrm = { type: 'winrm', username: 'admin' };
    expect(await read({ ...winrm, auth: 'ntlm', domain: 'CORP', ssl: true })).toEqual({
      type: 'winrm',
      metadata: { domain: 'CORP', username: 'admin', auth: 'ntlm', useSsl: true, skipCertCheck: false, useNoProfile: false, port: 5986 },
      payload: { password: 'from-stdin' },
      stdinReads: 1,
    });
    expect((await read({ ...winrm, auth: 'basic' })).metadata.port).toBe(5985);
    expect(await read({ ...winrm, auth: 'kerberos', realm: 'CORP.TEST', keytab: '/etc/admin.keytab', port: '5999' })).toEqual({
      type: 'winrm',
      metadata: { username: 'admin', auth: 'kerberos', kerberosSource: 'keytab', realm: 'CORP.TEST', keytabPath: '/etc/admin.keytab', useSsl: false, skipCertCheck: false, useNoProfile: false, port: 5999 },
      payload: {},
      stdinReads: 0,
    });
    expect((await read({ ...winrm, auth: 'kerberos', realm: 'CORP.TEST' })).metadata.kerberosSource).toBe('password');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a choice outside its options', { type: 'ssh', username: 'u', auth: 'token' }, '--auth must be key, key-path or password, not "token".'],
    ['a port that is not a number', { type: 'ssh', username: 'u', auth: 'password', port: 'x' }, '--port must be a number, not "x".'],
    ['a field required by the chosen auth, without its flag', { type: 'ssh', username: 'u', auth: 'key-path' }, '--type ssh needs --key-path PATH.'],
    ['a realm that Kerberos needs', { type: 'winrm', username: 'u', auth: 'kerberos' }, '--type winrm needs --realm R.'],
    ['a flag whose field the chosen auth does not use', { type: 'winrm', username: 'u', auth: 'ntlm', keytab: '/k' }, '--keytab does not apply to --type winrm with --auth ntlm.'],
    ['a key path with key authentication', { type: 'ssh', username: 'u', auth: 'key', 'key-path': '/k' }, '--key-path does not apply to --type ssh with --auth key.'],
    ['an unknown type', { type: 'nope' as SecretType }, 'Unknown --type "nope".'],
  ])('refuses %s as a usage error', async (_case, options, message) => {
    await usageError(options);
    await expect(read(options as SecretOptions)).rejects.toThrow(message);
  });
});
