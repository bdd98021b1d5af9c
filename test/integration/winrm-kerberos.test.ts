// Our WinRM client with Kerberos against the emulator and a real MIT KDC:
// a ticket from a password (on kinit's stdin) or a keytab, SPNEGO, mutual
// authentication, and RFC 4121 message encryption over HTTP. MIT reads
// KRB5CCNAME and KRB5_KTNAME from the real environment, which a vitest worker
// thread does not have, so the client runs as its own process (as in the
// delegate) and so does the emulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport } from '../../src-shared/connection-report.js';
import type { WinrmCredentialInput } from '../../src-delegate/connection/winrm/index.js';
import { startKdc, type TestKdc } from '../fixtures/kdc.js';
import { bundleEntry, createTestCertificates, startWinrmEmulatorProcess, type WinrmEmulator } from '../emulators/winrm-emulator.js';

const ALICE_PASSWORD = 'alice-Kerberos-1';
let kdc: TestKdc;
let dir: string;
let tls: ReturnType<typeof createTestCertificates>;
let http: WinrmEmulator;
let https: WinrmEmulator;
let driver: { path: string; dispose(): void };
let bobKeytab: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sr-winrm-krb-'));
  kdc = await startKdc();
  tls = createTestCertificates(mkdtempSync(join(dir, 'tls-')));
  await kdc.addPrincipal('alice', ALICE_PASSWORD);
  await kdc.addPrincipal('bob', 'bob-Kerberos-1');
  await kdc.addPrincipal('eve', 'eve-Kerberos-1');
  bobKeytab = join(dir, 'bob.keytab');
  await kdc.exportKeytab('bob', bobKeytab, { norandkey: true });
  const service = await kdc.addRandomKeyPrincipal('HTTP/localhost');
  const keytabPath = join(dir, 'http.keytab');
  await kdc.exportKeytab(service, keytabPath);
  const users = [
    { username: 'alice', principal: `alice@${kdc.realm}` },
    { username: 'bob', principal: `bob@${kdc.realm}` },
  ];
  http = await startWinrmEmulatorProcess({ users, kerberos: { keytabPath, env: kdc.env } });
  https = await startWinrmEmulatorProcess({ users, kerberos: { keytabPath, env: kdc.env }, https: { cert: tls.cert, key: tls.key } });
  const index = fileURLToPath(new URL('../../src-delegate/connection/winrm/index.ts', import.meta.url));
  const sanitizer = fileURLToPath(new URL('../../src-delegate/sanitizer.ts', import.meta.url));
  driver = await bundleEntry(`
    import { testWinrmCredential } from ${JSON.stringify(index)};
    import { Sanitizer } from ${JSON.stringify(sanitizer)};
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const sanitizer = new Sanitizer();
    if (input.credential.password) sanitizer.track(input.credential.password);
    const report = await testWinrmCredential(input.credential, input.target, { mask: (text) => sanitizer.mask(text), timeoutMs: 10000, tlsCa: input.tlsCa });
    process.stdout.write(JSON.stringify(report));
  `);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
  await Promise.all([http?.close(), https?.close()]);
  await kdc?.stop();
  driver?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the client in its own process; the credential travels on stdin. Its TMPDIR is private so leftovers show. */
function runClient(credential: WinrmCredentialInput, options: { host?: string; tlsCa?: string } = {}): Promise<{ report: ConnectionReport; leftovers: string[] }> {
  const clientTmp = mkdtempSync(join(dir, 'client-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [driver.path], { env: { PATH: process.env.PATH ?? '', TMPDIR: clientTmp } });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', () => {
      children.delete(child);
      try {
        resolve({ report: JSON.parse(stdout) as ConnectionReport, leftovers: readdirSync(clientTmp) });
      } catch {
        reject(new Error(`the client printed no report: ${stdout} ${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify({ credential, target: { host: options.host ?? 'localhost' }, tlsCa: options.tlsCa }));
  });
}

const alice = (port: number, extra: Partial<WinrmCredentialInput> = {}): WinrmCredentialInput => ({
  username: 'alice',
  realm: kdc.realm,
  kdc: `127.0.0.1:${kdc.port}`,
  password: ALICE_PASSWORD,
  auth: 'kerberos',
  useSsl: false,
  port,
  ...extra,
});
const stage = (report: ConnectionReport, name: string) => report.stages.find((s) => s.stage === name);

describe('WinRM client with Kerberos', () => {
  it('password, HTTP: ticket, SPNEGO with mutual authentication, encrypted probe; the private cache is removed', async () => {
    const { report, leftovers } = await runClient(alice(http.port));
    expect(report.error).toBeNull();
    expect(report.stages.map((s) => `${s.stage}:${s.status}`)).toEqual(['dns:ok', 'tcp:ok', 'tls:skipped', 'handshake:ok', 'kerberos:ok', 'auth:ok', 'probe:ok']);
    expect(stage(report, 'kerberos')?.details).toMatchObject({
      principal: `alice@${kdc.realm}`,
      ticketSource: 'password',
      ticketService: `krbtgt/${kdc.realm}@${kdc.realm}`,
      ticketExpires: expect.any(String),
      clockSkewSeconds: expect.any(Number),
    });
    expect(stage(report, 'auth')?.details).toMatchObject({
      schemesOffered: ['Negotiate', 'Kerberos'],
      schemeUsed: 'Kerberos (via Negotiate)',
      servicePrincipal: 'HTTP/localhost',
      mutualAuthentication: true,
      messageEncryption: expect.stringMatching(/Kerberos wrap/),
    });
    expect(stage(report, 'probe')?.details).toMatchObject({ hostname: 'WIN-EMULATOR', whoami: 'example\\alice' });
    expect(leftovers).toEqual([]);
    expect(JSON.stringify(report)).not.toContain(ALICE_PASSWORD);
  });

  it('keytab, HTTPS', async () => {
    const { report } = await runClient(
      { username: 'bob', realm: kdc.realm, kdc: `127.0.0.1:${kdc.port}`, keytabPath: bobKeytab, auth: 'kerberos', useSsl: true, port: https.port },
      { tlsCa: tls.ca },
    );
    expect(report.error).toBeNull();
    expect(stage(report, 'kerberos')?.details.ticketSource).toBe('keytab');
    expect(stage(report, 'auth')?.details.messageEncryption).toBe('TLS');
    expect(stage(report, 'probe')?.details.whoami).toBe('example\\bob');
  });

  it('a wrong password: AUTH_REJECTED at the kerberos stage, masked', async () => {
    const { report } = await runClient(alice(http.port, { password: 'not-alices-password' }));
    expect(report.error?.code).toBe('AUTH_REJECTED');
    expect(report.stages.at(-1)).toMatchObject({ stage: 'kerberos', status: 'failed' });
    expect(JSON.stringify(report)).not.toContain('not-alices-password');
  });

  it('an unknown principal: PRINCIPAL_UNKNOWN', async () => {
    const { report } = await runClient(alice(http.port, { username: 'nobody' }));
    expect(report.error?.code).toBe('PRINCIPAL_UNKNOWN');
  });

  it('a KDC that does not answer: KDC_UNREACHABLE', async () => {
    const { report } = await runClient(alice(http.port, { kdc: '127.0.0.1:1' }));
    expect(report.error?.code).toBe('KDC_UNREACHABLE');
  });

  it('a host without a service principal: NO_SERVICE_PRINCIPAL at the auth stage', async () => {
    const { report } = await runClient(alice(http.port), { host: '127.0.0.1' });
    expect(report.error).toMatchObject({ code: 'NO_SERVICE_PRINCIPAL', details: { servicePrincipal: 'HTTP/127.0.0.1' } });
    expect(report.stages.at(-1)).toMatchObject({ stage: 'auth', status: 'failed' });
  });

  it('a valid ticket for a user the server does not know: AUTH_REJECTED at the auth stage', async () => {
    const { report } = await runClient(alice(http.port, { username: 'eve', password: 'eve-Kerberos-1' }));
    expect(report.error?.code).toBe('AUTH_REJECTED');
    expect(report.stages.at(-1)).toMatchObject({ stage: 'auth', status: 'failed' });
  });
});
