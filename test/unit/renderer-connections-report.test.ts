import { describe, expect, it } from 'vitest';
import type { ConnectionReport, ReportStage } from '../../src-shared/contract.js';
import { connectionErrorCodes } from '../../src-shared/connection-report.js';
import {
  canTrustHostKey,
  detailLabel,
  detailRows,
  expectedStages,
  formatDuration,
  hintFor,
  hostKeyOf,
  stageLabel,
  stageSummary,
  verdictOf,
} from '../../src-renderer/features/connections/connection-report.js';

const stage = (name: ReportStage['stage'], details: ReportStage['details'], status: ReportStage['status'] = 'ok', durationMs = 12): ReportStage => ({
  stage: name,
  status,
  durationMs,
  details,
});

const FP = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

const report = (patch: Partial<ConnectionReport>): ConnectionReport => ({
  kind: 'ssh',
  host: '127.0.0.1',
  port: 2222,
  ok: true,
  startedAt: '2026-03-01T12:00:00.000Z',
  totalMs: 412,
  stages: [],
  error: null,
  ...patch,
});

const unknownKey = report({
  ok: false,
  stages: [
    stage('dns', { addresses: ['127.0.0.1'] }),
    stage('tcp', { address: '127.0.0.1' }),
    stage('handshake', { hostKeyType: 'ssh-ed25519', fingerprint: FP, publicKey: 'AAAAC3NzaC1lZDI1NTE5AAAA', hostKey: 'new' }, 'failed'),
  ],
  error: { code: 'HOST_KEY_UNKNOWN', message: 'The host key of 127.0.0.1:2222 is not known.' },
});

describe('stages', () => {
  it('names each stage for the kind of test', () => {
    expect(stageLabel('handshake', 'ssh')).toBe('SSH handshake and host key');
    expect(stageLabel('handshake', 'winrm')).toBe('WS-Management identify');
    expect(stageLabel('kerberos', 'ssh-kerberos')).toBe('Kerberos tickets');
    expect(expectedStages('ssh-kerberos')).toEqual(['dns', 'tcp', 'handshake', 'kerberos', 'auth', 'probe']);
    expect(expectedStages('winrm', true)).toContain('tls');
    expect(expectedStages('winrm', false)).not.toContain('tls');
  });

  it('formats durations', () => {
    expect(formatDuration(8)).toBe('8 ms');
    expect(formatDuration(1534)).toBe('1.53 s');
    expect(formatDuration(23_400)).toBe('23.4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});

describe('stage details, readably', () => {
  it('SSH host key: type, fingerprint and state first; the long public key hidden', () => {
    const rows = detailRows(unknownKey.stages[2]!.details);
    expect(rows.map((row) => row.key)).toEqual(['hostKey', 'hostKeyType', 'fingerprint']);
    expect(rows[0]).toMatchObject({ label: 'Host key', value: 'New: never seen for this host and port', alert: true });
    expect(rows[2]).toMatchObject({ label: 'Fingerprint', value: FP, format: 'mono' });
  });

  it('a changed key shows the stored fingerprints as an alert', () => {
    const rows = detailRows({ hostKeyType: 'ssh-ed25519', fingerprint: FP, hostKey: 'changed', knownKeyTypes: ['ssh-ed25519'], knownFingerprints: ['SHA256:old', 'SHA256:older'] });
    expect(rows.find((row) => row.key === 'hostKey')).toMatchObject({ value: 'CHANGED: does not match the stored key', alert: true });
    expect(rows.find((row) => row.key === 'knownFingerprints')).toMatchObject({ value: 'SHA256:old, SHA256:older', alert: true });
  });

  it('auth: methods offered and used; probe: command and output', () => {
    expect(detailRows({ offered: ['publickey', 'password'], used: 'password' }).map((r) => [r.label, r.value])).toEqual([
      ['Methods offered', 'publickey, password'],
      ['Method used', 'password'],
    ]);
    expect(detailRows({ command: 'whoami', output: 'alice' }).map((r) => [r.label, r.value, r.format])).toEqual([
      ['Command', 'whoami', 'mono'],
      ['Output', 'alice', 'block'],
    ]);
  });

  it('TLS: subject, issuer, expiry as a date, and an untrusted chain with its problems', () => {
    const rows = detailRows({
      protocol: 'TLSv1.3',
      subject: 'CN=win01.example.com',
      issuer: 'CN=Example Test CA',
      validFrom: '2026-01-01T00:00:00.000Z',
      expires: '2027-01-01T00:00:00.000Z',
      fingerprintSha256: 'AB:CD',
      chain: 'untrusted',
      problems: ['SELF_SIGNED_CERT_IN_CHAIN'],
      skipCertCheck: false,
    });
    expect(rows.find((r) => r.key === 'expires')).toMatchObject({ label: 'Expires', format: 'date', value: '2027-01-01T00:00:00.000Z' });
    expect(rows.find((r) => r.key === 'chain')).toMatchObject({ value: 'Not trusted', alert: true });
    expect(rows.find((r) => r.key === 'problems')).toMatchObject({ value: 'SELF_SIGNED_CERT_IN_CHAIN', alert: true });
    expect(rows.find((r) => r.key === 'skipCertCheck')).toMatchObject({ value: 'No' });
    expect(rows.find((r) => r.key === 'skipCertCheck')?.alert).toBeUndefined();
  });

  it('Kerberos: ticket expiry, service principal and clock skew', () => {
    const rows = detailRows({
      principal: 'alice@EXAMPLE.TEST',
      kdc: '127.0.0.1:8888',
      ticketSource: 'password',
      servicePrincipal: 'host/server.example.test@EXAMPLE.TEST',
      ticketExpires: '2026-03-02T12:00:00.000Z',
      serviceTicketExpires: null,
      clockSkewSeconds: -400,
    });
    expect(rows.map((r) => r.key)).toEqual(['principal', 'kdc', 'ticketSource', 'ticketExpires', 'servicePrincipal', 'clockSkewSeconds']);
    expect(rows.find((r) => r.key === 'ticketExpires')).toMatchObject({ label: 'Ticket (TGT) expires', format: 'date' });
    expect(rows.find((r) => r.key === 'clockSkewSeconds')).toMatchObject({ value: '-400 s', alert: true });
    expect(detailRows({ clockSkewSeconds: 3 })[0]).toMatchObject({ value: '+3 s' });
  });

  it('keeps unknown details, labelled from their key, after the known ones', () => {
    const rows = detailRows({ someNewThing: 'x', used: 'password', multi: 'line one\nline two' });
    expect(rows.map((r) => r.label)).toEqual(['Method used', 'Some New Thing', 'Multi']);
    expect(rows[2]?.format).toBe('block');
    expect(detailLabel('schemeUsed')).toBe('Scheme used');
  });

  it('sums up each stage in one line', () => {
    expect(stageSummary(stage('dns', { addresses: ['10.0.0.5', '10.0.0.6'] }))).toBe('10.0.0.5, 10.0.0.6');
    expect(stageSummary(stage('tcp', { address: '10.0.0.5', port: 5986 }))).toBe('connected to 10.0.0.5:5986');
    expect(stageSummary(unknownKey.stages[2]!)).toBe(`ssh-ed25519 ${FP} (new)`);
    expect(stageSummary(stage('handshake', { productVendor: 'Microsoft Corporation', productVersion: 'OS: 10.0' }))).toBe('Microsoft Corporation OS: 10.0');
    expect(stageSummary(stage('auth', { schemesOffered: ['Negotiate', 'Kerberos'], schemeUsed: 'NTLM (via Negotiate)' }))).toBe('used NTLM (via Negotiate) · offered Negotiate, Kerberos');
    expect(stageSummary(stage('probe', { hostname: 'WIN01', whoami: 'example\\operator' }))).toBe('whoami → example\\operator · hostname → WIN01');
    expect(stageSummary(stage('tls', { subject: 'CN=win01', chain: 'trusted' }))).toBe('CN=win01 · trusted');
  });
});

describe('errors', () => {
  it('has an actionable hint for every error code the delegate reports', () => {
    for (const code of connectionErrorCodes) expect(hintFor(code)?.length ?? 0, code).toBeGreaterThan(40);
    expect(hintFor('NOT_A_CODE')).toBeNull();
    expect(hintFor('HOST_KEY_CHANGED')).toMatch(/Known hosts/);
    expect(hintFor('ENCRYPTION_REQUIRED')).toMatch(/HTTPS/);
  });

  it('an unknown host key can be trusted: its type and fingerprint come from the handshake', () => {
    expect(canTrustHostKey(unknownKey)).toBe(true);
    expect(hostKeyOf(unknownKey)).toEqual({ keyType: 'ssh-ed25519', fingerprint: FP, knownFingerprints: [], knownKeyTypes: [] });
  });

  it('a changed host key shows both fingerprints and cannot be trusted', () => {
    const changed = report({
      ok: false,
      stages: [stage('handshake', { hostKeyType: 'ssh-ed25519', fingerprint: FP, hostKey: 'changed', knownKeyTypes: ['ssh-ed25519'], knownFingerprints: ['SHA256:somebodyElses'] }, 'failed')],
      error: { code: 'HOST_KEY_CHANGED', message: 'The host key changed.' },
    });
    expect(canTrustHostKey(changed)).toBe(false);
    expect(hostKeyOf(changed)).toMatchObject({ fingerprint: FP, knownFingerprints: ['SHA256:somebodyElses'] });
    // Details may come with the error instead of the stage.
    const fromError = report({ ok: false, error: { code: 'HOST_KEY_CHANGED', message: 'changed', details: { fingerprint: FP, knownFingerprints: 'SHA256:x' } } });
    expect(hostKeyOf(fromError)).toMatchObject({ fingerprint: FP, keyType: 'unknown', knownFingerprints: ['SHA256:x'] });
  });

  it('the verdict names the stage that failed, the code, the message and the hint', () => {
    const rejected = report({
      ok: false,
      stages: [stage('dns', {}), stage('tcp', {}), stage('handshake', {}), stage('auth', { offered: ['publickey'] }, 'failed')],
      error: { code: 'AUTH_REJECTED', message: 'The server rejected the password. It allows: publickey.', details: { allowed: ['publickey'], partialSuccess: false } },
    });
    expect(verdictOf(rejected)).toEqual({
      ok: false,
      title: 'Failed at authentication (AUTH_REJECTED)',
      message: 'The server rejected the password. It allows: publickey.',
      hint: hintFor('AUTH_REJECTED'),
      code: 'AUTH_REJECTED',
    });
  });

  it('keeps acronyms in the verdict', () => {
    expect(verdictOf(unknownKey).title).toBe('Failed at SSH handshake and host key (HOST_KEY_UNKNOWN)');
  });

  it('a successful test says who it logged in as, where, and how long it took', () => {
    const ok = report({ stages: [stage('probe', { command: 'whoami', output: 'alice' })] });
    expect(verdictOf(ok).title).toBe('Connection works: logged in as alice on 127.0.0.1:2222 in 412 ms');
    const winrm = report({ kind: 'winrm', port: 5985, totalMs: 1500, stages: [stage('probe', { hostname: 'WIN01', whoami: 'emulator\\operator' })] });
    expect(verdictOf(winrm).title).toBe('Connection works: logged in as emulator\\operator on 127.0.0.1:5985 in 1.50 s');
  });
});
