// The SSH tester's pure parts: what it reads from the system tools' output,
// how it maps their messages to typed errors (including the ones a test
// server cannot provoke, like clock skew), host key verdicts, and the input
// checks that keep values out of generated files and command lines.
import { describe, expect, it } from 'vitest';
import { checkCertificate, parseCertificateListing, type CertificateInfo } from '../../src-delegate/connection/ssh/certificate.js';
import { sshCredentialSchema, sshTargetSchema } from '../../src-delegate/connection/ssh/credential.js';
import { krb5Conf } from '../../src-delegate/connection/krb5-conf.js';
import { clockSkewSeconds, kerberosFailure, parseKlist } from '../../src-delegate/connection/ssh/kerberos.js';
import { testSshCredential } from '../../src-delegate/connection/ssh/index.js';
import { judgeHostKey, knownHostsFrom, knownHostsLine, preferredHostKeyAlgorithms } from '../../src-delegate/connection/ssh/known-hosts.js';
import { openSshFailure } from '../../src-delegate/connection/ssh/openssh-client.js';

const FP_A = 'SHA256:cFHFRwJvTFc+AI5OtWThMZNjacRYjXQ0VWXGylQ0lVw';
const FP_B = 'SHA256:bKWbnWEAQwkzaCUvo5lnXObiVUTmW5MjZuCtBGZUUP4';

describe('klist', () => {
  const output = [
    'Ticket cache: FILE:/tmp/strongroom-ssh-x/ccache',
    'Default principal: alice@EXAMPLE.TEST',
    '',
    'Valid starting     Expires            Service principal',
    '11/30/26 03:35:12  12/01/26 03:35:12  krbtgt/EXAMPLE.TEST@EXAMPLE.TEST',
    '\trenew until 12/07/26 03:35:12',
    '11/30/26 03:35:19  12/01/26 03:35:12  host/localhost@EXAMPLE.TEST',
    '',
  ].join('\n');

  it('reads the default principal and each ticket in UTC', () => {
    expect(parseKlist(output)).toEqual({
      defaultPrincipal: 'alice@EXAMPLE.TEST',
      tickets: [
        { start: '2026-11-30T03:35:12.000Z', expires: '2026-12-01T03:35:12.000Z', principal: 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST' },
        { start: '2026-11-30T03:35:19.000Z', expires: '2026-12-01T03:35:12.000Z', principal: 'host/localhost@EXAMPLE.TEST' },
      ],
    });
  });

  it('measures clock skew as the distance outside the request window', () => {
    const sent = Date.parse('2026-11-30T03:35:12.400Z');
    const answered = Date.parse('2026-11-30T03:35:12.450Z');
    expect(clockSkewSeconds('2026-11-30T03:35:12.000Z', [sent, answered])).toBe(0);
    expect(clockSkewSeconds('2026-11-30T03:45:12.000Z', [sent, answered])).toBe(599);
    expect(clockSkewSeconds('2026-11-30T03:30:12.000Z', [sent, answered])).toBe(-300);
  });
});

describe('kerberos messages', () => {
  const names = { principal: 'alice@EXAMPLE.TEST', servicePrincipal: 'host/db1@EXAMPLE.TEST' };
  const failure = (stderr: string, step: Parameters<typeof kerberosFailure>[1] = 'kinit-password') =>
    kerberosFailure({ stderr, timedOut: false }, step, names).code;

  it.each([
    ["kinit: Cannot contact any KDC for realm 'EXAMPLE.TEST' while getting initial credentials", 'KDC_UNREACHABLE'],
    ["kinit: Cannot find KDC for realm 'EXAMPLE.TEST' while getting initial credentials", 'KDC_UNREACHABLE'],
    ['kinit: Clock skew too great while getting initial credentials', 'CLOCK_SKEW'],
    ["kinit: Client 'bob@EXAMPLE.TEST' not found in Kerberos database while getting initial credentials", 'PRINCIPAL_UNKNOWN'],
    ['kinit: Password incorrect while getting initial credentials', 'AUTH_REJECTED'],
    ['kinit: Password has expired while getting initial credentials', 'AUTH_REJECTED'],
  ] as const)('maps kinit "%s" to %s', (stderr, code) => {
    expect(failure(stderr)).toBe(code);
  });

  it('maps key problems to WRONG_KEYTAB only when a keytab was used', () => {
    expect(failure('kinit: Password incorrect while getting initial credentials', 'kinit-keytab')).toBe('WRONG_KEYTAB');
    expect(failure("kinit: Key table file '/nope' not found while getting initial credentials", 'kinit-keytab')).toBe('WRONG_KEYTAB');
  });

  it('maps an unknown server to NO_SERVICE_PRINCIPAL, naming the principal asked for', () => {
    const error = kerberosFailure({ stderr: 'kvno: Server not found in Kerberos database while getting credentials for host/db1@EXAMPLE.TEST', timedOut: false }, 'kvno', names);
    expect(error).toMatchObject({ code: 'NO_SERVICE_PRINCIPAL', details: { servicePrincipal: 'host/db1@EXAMPLE.TEST' } });
  });

  it('maps a KDC that never answers to KDC_UNREACHABLE', () => {
    expect(kerberosFailure({ stderr: '', timedOut: true }, 'kinit-password', names).code).toBe('KDC_UNREACHABLE');
  });

  it('writes a realm block with its braces on lines of their own, and DNS discovery without a KDC', () => {
    expect(krb5Conf('EXAMPLE.TEST', 'kdc1.example.test:88', 'db1.example.test')).toContain(
      '    EXAMPLE.TEST = {\n        kdc = kdc1.example.test:88\n    }\n',
    );
    const discovered = krb5Conf('EXAMPLE.TEST', undefined, 'db1.example.test');
    expect(discovered).toContain('dns_lookup_kdc = true');
    expect(discovered).not.toContain('[realms]');
    expect(discovered).toContain('    db1.example.test = EXAMPLE.TEST\n');
  });
});

describe('system ssh messages', () => {
  const run = (stderr: string) => ({ status: 255, stdout: '', stderr, timedOut: false });

  it('fails closed when the host shows the client a different key than our handshake saw', () => {
    expect(openSshFailure(run('Host key verification failed.\n'), 'certificate').code).toBe('HOST_KEY_CHANGED');
  });

  it('reads GSSAPI failures from the debug log', () => {
    const log = 'debug1: Unspecified GSS failure.  Minor code may provide more information\nServer host/db1@EXAMPLE.TEST not found in Kerberos database\n';
    expect(openSshFailure(run(log), 'gssapi')).toMatchObject({ code: 'NO_SERVICE_PRINCIPAL', details: { servicePrincipal: 'host/db1@EXAMPLE.TEST' } });
    expect(openSshFailure(run('debug1: Unspecified GSS failure.\nClock skew too great\n'), 'gssapi').code).toBe('CLOCK_SKEW');
  });

  it('names the allowed methods of a refusal', () => {
    expect(openSshFailure(run('alice@db1: Permission denied (publickey,password).\n'), 'certificate')).toMatchObject({
      code: 'AUTH_REJECTED',
      details: { allowed: ['publickey', 'password'] },
    });
  });

  it('maps the network failures', () => {
    expect(openSshFailure(run('ssh: connect to host db1 port 22: Connection refused\n'), 'gssapi').code).toBe('REFUSED');
    expect(openSshFailure(run('Connection timed out during banner exchange\n'), 'gssapi').code).toBe('TIMEOUT');
    expect(openSshFailure(run('ssh: Could not resolve hostname db1: Name or service not known\n'), 'gssapi').code).toBe('DNS');
    expect(openSshFailure({ ...run(''), status: null, timedOut: true }, 'gssapi').code).toBe('TIMEOUT');
  });
});

describe('certificates', () => {
  const listing = (validity: string, principals: string) =>
    [
      '/tmp/strongroom-ssh-x/id-cert.pub:',
      '        Type: ssh-ed25519-cert-v01@openssh.com user certificate',
      `        Public key: ED25519-CERT ${FP_A}`,
      `        Signing CA: ED25519 ${FP_B} (using ssh-ed25519)`,
      '        Key ID: "vault-alice"',
      '        Serial: 7',
      `        Valid: ${validity}`,
      `        Principals: ${principals}`,
      '        Critical Options: (none)',
      '        Extensions: ',
      '                permit-pty',
      '',
    ].join('\n');

  it('reads a bounded certificate with principals', () => {
    const info = parseCertificateListing(listing('from 2026-11-30T02:35:34 to 2026-11-30T04:35:34', '\n                alice\n                ops'));
    expect(info).toEqual({
      type: 'ssh-ed25519-cert-v01@openssh.com',
      role: 'user',
      keyFingerprint: FP_A,
      signingCa: `ED25519 ${FP_B} (using ssh-ed25519)`,
      keyId: 'vault-alice',
      serial: '7',
      validFrom: '2026-11-30T02:35:34.000Z',
      validTo: '2026-11-30T04:35:34.000Z',
      principals: ['alice', 'ops'],
    });
  });

  it('reads unbounded validity and an empty principal list', () => {
    expect(parseCertificateListing(listing('forever', '(none)'))).toMatchObject({ validFrom: null, validTo: null, principals: [] });
    expect(parseCertificateListing(listing('after 2026-01-01T00:00:00', '(none)'))).toMatchObject({ validFrom: '2026-01-01T00:00:00.000Z', validTo: null });
    expect(parseCertificateListing(listing('before 2026-01-01T00:00:00', '(none)'))).toMatchObject({ validFrom: null, validTo: '2026-01-01T00:00:00.000Z' });
  });

  const info: CertificateInfo = {
    type: 'ssh-ed25519-cert-v01@openssh.com',
    role: 'user',
    keyFingerprint: FP_A,
    signingCa: '',
    keyId: '',
    serial: '1',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2026-02-01T00:00:00.000Z',
    principals: ['alice'],
  };
  const now = new Date('2026-01-15T00:00:00Z');
  const code = (change: Partial<CertificateInfo>, user = 'alice', at = now) => {
    try {
      checkCertificate({ ...info, ...change }, user, FP_A, at);
      return 'ok';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  it('accepts a valid certificate for the user, or one with no principals', () => {
    expect(code({})).toBe('ok');
    expect(code({ principals: [] }, 'anyone')).toBe('ok');
  });

  it('refuses what a server would refuse', () => {
    expect(code({}, 'alice', new Date('2026-03-01T00:00:00Z'))).toBe('CERT_EXPIRED');
    expect(code({}, 'alice', new Date('2025-12-01T00:00:00Z'))).toBe('CERT_EXPIRED');
    expect(code({}, 'bob')).toBe('CERT_NOT_VALID_FOR_USER');
    expect(code({ role: 'host' })).toBe('CERT_NOT_VALID_FOR_USER');
    expect(code({ keyFingerprint: FP_B })).toBe('AUTH_REJECTED');
  });
});

describe('host keys', () => {
  const ed = { keyType: 'ssh-ed25519', fingerprint: FP_A };

  it('judges a key known, new or changed', () => {
    expect(judgeHostKey(ed, [ed])).toBe('known');
    expect(judgeHostKey(ed, [])).toBe('new');
    expect(judgeHostKey(ed, [{ ...ed, fingerprint: FP_B }])).toBe('changed');
    // A host with stored keys that shows a type never stored could be anyone.
    expect(judgeHostKey(ed, [{ keyType: 'ssh-rsa', fingerprint: FP_B }])).toBe('changed');
  });

  it('offers the stored key types first', () => {
    expect(preferredHostKeyAlgorithms([{ keyType: 'ssh-rsa', fingerprint: FP_B }]).slice(0, 4)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });

  it('writes known_hosts lines in the form ssh looks up', () => {
    const key = { ...ed, publicKey: 'AAAA' };
    expect(knownHostsLine('db1', 22, key)).toBe('db1 ssh-ed25519 AAAA\n');
    expect(knownHostsLine('db1', 2222, key)).toBe('[db1]:2222 ssh-ed25519 AAAA\n');
  });
});

describe('input checks', () => {
  const password = { kind: 'password', username: 'alice', password: 'pw' };

  it('refuses values that could become options or lines in generated files', () => {
    expect(sshTargetSchema.safeParse({ host: '-oProxyCommand=touch /tmp/x' }).success).toBe(false);
    expect(sshTargetSchema.safeParse({ host: 'db1\nHost *' }).success).toBe(false);
    expect(sshCredentialSchema.safeParse({ ...password, username: '-oProxyCommand=x' }).success).toBe(false);
    expect(sshCredentialSchema.safeParse({ ...password, username: 'alice\nbob' }).success).toBe(false);
    const kerberos = { kind: 'kerberos', principal: 'alice', realm: 'EXAMPLE.TEST', ticket: { source: 'password', password: 'pw' } };
    expect(sshCredentialSchema.safeParse(kerberos).success).toBe(true);
    expect(sshCredentialSchema.safeParse({ ...kerberos, realm: 'EXAMPLE.TEST\n[realms]' }).success).toBe(false);
    expect(sshCredentialSchema.safeParse({ ...kerberos, kdc: 'kdc1 }\nkdc = evil' }).success).toBe(false);
  });

  it('turns an invalid credential into a report without contacting anyone or echoing values', async () => {
    const report = await testSshCredential(
      { kind: 'password', username: '-oProxyCommand=touch /tmp/x', password: 'secret-password' },
      { host: 'db1.example.test' },
      { knownHosts: knownHostsFrom([]), mask: (text) => text },
    );
    expect(report).toMatchObject({ ok: false, port: 22, stages: [], error: { code: 'INTERNAL', message: expect.stringContaining('username') } });
    expect(JSON.stringify(report.error)).not.toContain('ProxyCommand');
    expect(JSON.stringify(report.error)).not.toContain('secret-password');
  });

  it('defaults the port to 22', () => {
    expect(sshTargetSchema.parse({ host: 'db1.example.test' })).toEqual({ host: 'db1.example.test', port: 22 });
  });
});
