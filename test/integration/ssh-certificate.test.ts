// OpenSSH user certificates against a real sshd that trusts a local CA (in
// place of Vault's SSH engine): logins with a stored or freshly signed
// certificate, and the refusals a server would make. Every case also runs
// the system ssh client with the same key and certificate, and the tester's
// verdict must agree with ssh's exit status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport, ReportStage } from '../../src-shared/connection-report.js';
import { knownHostsFrom, testSshCredential, type SshCertificateCredential, type SshTestOptions } from '../../src-delegate/connection/ssh/index.js';
import { createUserCa, generateKey, referenceSsh, startSshd, type SshdUser, type TestKey, type TestSshd, type TestUserCa } from '../fixtures/sshd.js';

const PASSPHRASE = 'correct horse battery';

let ca: TestUserCa;
let untrustedCa: TestUserCa;
let sshd: TestSshd;
let user: SshdUser;
let key: TestKey;
let encryptedKey: TestKey;
let otherKey: TestKey;

beforeAll(async () => {
  [ca, untrustedCa] = await Promise.all([createUserCa(), createUserCa()]);
  sshd = await startSshd({ trustedUserCaKey: ca.publicKey });
  // No authorized keys: only a certificate can log this user in.
  user = await sshd.addUser();
  [key, encryptedKey, otherKey] = await Promise.all([
    generateKey('ed25519'),
    generateKey('rsa', { format: 'PEM', passphrase: PASSPHRASE }),
    generateKey('ed25519'),
  ]);
});

afterAll(async () => {
  await sshd?.stop();
  await ca?.stop();
  await untrustedCa?.stop();
});

function test(credential: Omit<SshCertificateCredential, 'kind' | 'username'>, extra: Partial<SshTestOptions> = {}): Promise<ConnectionReport> {
  const known = sshd.hostKeys.map((entry) => ({ host: '127.0.0.1', port: sshd.port, keyType: entry.keyType, fingerprint: entry.fingerprint }));
  return testSshCredential(
    { kind: 'certificate', username: user.name, ...credential },
    { host: '127.0.0.1', port: sshd.port },
    { knownHosts: knownHostsFrom(known), mask: (text) => text, ...extra },
  );
}

/** The tester and the system client with the same key and certificate, side by side. */
function both(privateKey: TestKey, certificate: string, passphrase?: string) {
  return Promise.all([
    test({ privateKey: privateKey.privateKey, certificate, passphrase }),
    referenceSsh({ port: sshd.port, user: user.name, knownHosts: sshd.knownHosts(), auth: { privateKey: privateKey.privateKey, passphrase, certificate } }),
  ]);
}

function stage(report: ConnectionReport, name: ReportStage['stage']): ReportStage | undefined {
  return report.stages.find((entry) => entry.stage === name);
}

describe('certificates', () => {
  it('logs in with a stored certificate, with every stage reported, like ssh', async () => {
    const certificate = await ca.sign(key.publicKey, { principals: [user.name] });
    const [report, ref] = await both(key, certificate);

    expect(report.error).toBeNull();
    expect(report).toMatchObject({ kind: 'ssh-vault-certificate', ok: true });
    expect(report.stages.map((entry) => [entry.stage, entry.status])).toEqual([
      ['dns', 'ok'],
      ['tcp', 'ok'],
      ['handshake', 'ok'],
      ['auth', 'ok'],
      ['probe', 'ok'],
    ]);
    expect(stage(report, 'handshake')!.details.hostKey).toBe('known');
    expect(stage(report, 'auth')!.details).toMatchObject({
      used: 'publickey',
      offered: expect.arrayContaining(['publickey', 'password']),
      keyFingerprint: key.fingerprint,
      certificateSource: 'stored',
      certificatePrincipals: [user.name],
      certificateType: 'ssh-ed25519-cert-v01@openssh.com',
    });
    expect(stage(report, 'probe')!.details.output).toBe(user.name);
    expect(ref.status).toBe(0);
  });

  it('asks the signer for a certificate when the credential has none', async () => {
    const signed: [string, string][] = [];
    const signPublicKey = async (publicKey: string, username: string) => {
      signed.push([publicKey, username]);
      return ca.sign(publicKey, { principals: [username] });
    };
    const report = await test({ privateKey: key.privateKey }, { signPublicKey });

    expect(report.error).toBeNull();
    expect(signed).toEqual([[key.publicKey.split(' ').slice(0, 2).join(' '), user.name]]);
    expect(stage(report, 'auth')!.details.certificateSource).toBe('signed');
  });

  it('reports a signer that refuses as a rejection', async () => {
    const report = await test({ privateKey: key.privateKey }, { signPublicKey: () => Promise.reject(new Error('permission denied on ssh/sign/admins')) });

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', message: expect.stringContaining('permission denied on ssh/sign/admins') });
  });

  it('logs in with an encrypted key and its certificate, like ssh', async () => {
    const certificate = await ca.sign(encryptedKey.publicKey, { principals: [user.name] });
    const [report, ref] = await both(encryptedKey, certificate, PASSPHRASE);

    expect(report.error).toBeNull();
    expect(ref.status).toBe(0);
  });

  it('refuses an expired certificate before connecting with it, like ssh', async () => {
    const certificate = await ca.sign(key.publicKey, { principals: [user.name], validity: '20200101:20200102' });
    const [report, ref] = await both(key, certificate);

    // ssh-keygen reads -V dates in the local time zone, so only the date is certain.
    expect(report.error).toMatchObject({ code: 'CERT_EXPIRED', message: expect.stringMatching(/expired at 2020-01-0[12]T/) });
    expect(stage(report, 'auth')).toMatchObject({ status: 'failed', details: { certificateValidTo: expect.stringMatching(/^2020-01-0[12]T/) } });
    expect(stage(report, 'probe')).toBeUndefined();
    expect(ref.status).toBe(255);
  });

  it('refuses a certificate for another principal, like ssh', async () => {
    const certificate = await ca.sign(key.publicKey, { principals: ['someone-else'] });
    const [report, ref] = await both(key, certificate);

    expect(report.error).toMatchObject({ code: 'CERT_NOT_VALID_FOR_USER', message: expect.stringContaining('someone-else') });
    expect(ref.status).toBe(255);
  });

  it('refuses a host certificate, like ssh', async () => {
    const certificate = await ca.sign(key.publicKey, { principals: [user.name], host: true });
    const [report, ref] = await both(key, certificate);

    expect(report.error).toMatchObject({ code: 'CERT_NOT_VALID_FOR_USER' });
    expect(ref.status).toBe(255);
  });

  it('refuses a certificate for another key, like ssh', async () => {
    const certificate = await ca.sign(otherKey.publicKey, { principals: [user.name] });
    const [report, ref] = await both(key, certificate);

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', message: expect.stringContaining(otherKey.fingerprint) });
    expect(ref.status).toBe(255);
  });

  it('reports a certificate from a CA the server does not trust as rejected by the server, like ssh', async () => {
    const certificate = await untrustedCa.sign(key.publicKey, { principals: [user.name] });
    const [report, ref] = await both(key, certificate);

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', details: { allowed: expect.arrayContaining(['publickey']) } });
    expect(report.error!.message).toContain('TrustedUserCAKeys');
    expect(stage(report, 'auth')!.details.offered).toEqual(expect.arrayContaining(['publickey']));
    expect(ref.status).toBe(255);
  });

  it('reports text that is no certificate as an unsupported format, like ssh', async () => {
    const [report, ref] = await both(key, key.publicKey);

    expect(report.error).toMatchObject({ code: 'UNSUPPORTED_KEY_FORMAT' });
    expect(ref.status).toBe(255);
  });
});
