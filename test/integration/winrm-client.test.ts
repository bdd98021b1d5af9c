// Our WinRM client (the delegate's testWinrmCredential) against the WinRM
// emulator, in process: NTLM and Basic over HTTP and HTTPS, and every typed
// failure a user can meet short of Kerberos (winrm-kerberos.test.ts).
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testWinrmCredential } from '../../src-delegate/connection/winrm/index.js';
import type { WinrmCredentialInput } from '../../src-delegate/connection/winrm/index.js';
import type { ConnectionReport, ReportStage } from '../../src-shared/connection-report.js';
import { Sanitizer } from '../../src-delegate/sanitizer.js';
import { createTestCertificates, startWinrmEmulator, type WinrmEmulator } from '../emulators/winrm-emulator.js';

const ALICE = { domain: 'EMULATOR', username: 'alice', password: 'alice-Pa55word!' };
const LOCAL = { username: 'localadmin', password: 'local-Pa55word!' };
const NO_SHELL = { domain: 'EMULATOR', username: 'mallory', password: 'mallory-Pa55word!', allowShell: false };
const users = [ALICE, LOCAL, NO_SHELL];

let tls: ReturnType<typeof createTestCertificates>;
let http: WinrmEmulator;
let httpsBasic: WinrmEmulator;
let httpBasicUnencrypted: WinrmEmulator;
let silent: Server;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  tls = createTestCertificates();
  http = await startWinrmEmulator({ users, basicEnabled: true });
  httpsBasic = await startWinrmEmulator({ users, basicEnabled: true, https: { cert: tls.cert, key: tls.key } });
  httpBasicUnencrypted = await startWinrmEmulator({ users, basicEnabled: true, allowUnencrypted: true });
  // Accepts connections and never answers: the TIMEOUT case.
  silent = createServer((socket) => silentSockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([
    http?.close(),
    httpsBasic?.close(),
    httpBasicUnencrypted?.close(),
    silent && new Promise((resolve) => silent.close(resolve)),
  ]);
  if (tls) rmSync(tls.dir, { recursive: true, force: true });
});

function credential(overrides: Partial<WinrmCredentialInput> & { port: number }): WinrmCredentialInput {
  return { ...ALICE, auth: 'ntlm', useSsl: false, ...overrides };
}

async function run(input: WinrmCredentialInput, options: { host?: string; tlsCa?: string; probeCommands?: string[]; timeoutMs?: number } = {}) {
  const sanitizer = new Sanitizer();
  if (input.password) sanitizer.track(input.password);
  const live: ReportStage[] = [];
  const report = await testWinrmCredential(input, { host: options.host ?? 'localhost' }, {
    mask: (text) => sanitizer.mask(text),
    timeoutMs: options.timeoutMs ?? 10_000,
    tlsCa: options.tlsCa,
    probeCommands: options.probeCommands,
    onStage: (stage) => live.push(stage),
  });
  return { report, live };
}

const stage = (report: ConnectionReport, name: string) => report.stages.find((s) => s.stage === name);

describe('WinRM client against the emulator: success', () => {
  it('NTLM over HTTP: identifies, authenticates with sealing and runs hostname and whoami', async () => {
    const { report, live } = await run(credential({ port: http.port }));
    expect(report.error).toBeNull();
    expect(report.ok).toBe(true);
    expect(report.stages.map((s) => `${s.stage}:${s.status}`)).toEqual(['dns:ok', 'tcp:ok', 'tls:skipped', 'handshake:ok', 'auth:ok', 'probe:ok']);
    expect(stage(report, 'handshake')?.details.productVersion).toMatch(/Stack: 3\.0/);
    expect(stage(report, 'auth')?.details).toMatchObject({
      schemesOffered: ['Negotiate', 'Basic'],
      schemeUsed: 'NTLM (via Negotiate)',
      serverNetbiosName: 'WIN-EMULATOR',
      messageEncryption: expect.stringMatching(/NTLM sealing/),
    });
    expect(stage(report, 'probe')?.details).toMatchObject({ hostname: 'WIN-EMULATOR', whoami: 'emulator\\alice', exitCodes: ['hostname: 0', 'whoami: 0'], shellDeleted: true });
    expect(live).toEqual(report.stages);
  });

  it('NTLM over HTTPS: reports the certificate and binds the channel', async () => {
    const { report } = await run(credential({ port: httpsBasic.port, useSsl: true }), { tlsCa: tls.ca });
    expect(report.error).toBeNull();
    expect(stage(report, 'tls')?.details).toMatchObject({
      subject: 'CN=localhost',
      issuer: 'CN=Strongroom WinRM Test CA',
      chain: 'trusted',
      skipCertCheck: false,
      expires: expect.any(String),
      fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(stage(report, 'auth')?.details).toMatchObject({ channelBinding: true, messageEncryption: 'TLS' });
  });

  it('a local account (no domain) and "use no profile"', async () => {
    const { report } = await run(credential({ ...LOCAL, domain: undefined, port: http.port, useNoProfile: true }));
    expect(report.error).toBeNull();
    expect(stage(report, 'probe')?.details).toMatchObject({ whoami: 'win-emulator\\localadmin', noProfile: true, profileLoaded: false });
  });

  it('Basic over HTTPS', async () => {
    const { report } = await run(credential({ auth: 'basic', port: httpsBasic.port, useSsl: true }), { tlsCa: tls.ca });
    expect(report.error).toBeNull();
    expect(stage(report, 'auth')?.details).toMatchObject({ schemeUsed: 'Basic', messageEncryption: 'TLS' });
  });

  it('Basic over HTTP when both the credential and the server allow it', async () => {
    const { report } = await run(credential({ auth: 'basic', port: httpBasicUnencrypted.port, allowBasicOverHttp: true }));
    expect(report.error).toBeNull();
    expect(stage(report, 'auth')?.details.messageEncryption).toBe('none');
  });

  it('an untrusted certificate is accepted with skip-certificate-check, and the report says so', async () => {
    const { report } = await run(credential({ port: httpsBasic.port, useSsl: true, skipCertCheck: true }));
    expect(report.error).toBeNull();
    expect(stage(report, 'tls')?.details).toMatchObject({ chain: 'untrusted', skipCertCheck: true, problems: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE'] });
  });

  it('masks the password everywhere, including a base64 form', async () => {
    const sanitizer = new Sanitizer();
    sanitizer.track('alice');
    const report = await testWinrmCredential(credential({ port: http.port }), { host: 'localhost' }, { mask: (t) => sanitizer.mask(t), timeoutMs: 10_000 });
    const text = JSON.stringify(report);
    expect(report.ok).toBe(true);
    expect(text).not.toContain('alice');
    expect(text).toContain('emulator\\\\[redacted]');
  });
});

describe('WinRM client against the emulator: typed failures', () => {
  it('wrong password: AUTH_REJECTED at the auth stage', async () => {
    const { report } = await run(credential({ port: http.port, password: 'not-the-password' }));
    expect(report.error?.code).toBe('AUTH_REJECTED');
    expect(report.stages.at(-1)).toMatchObject({ stage: 'auth', status: 'failed' });
    expect(JSON.stringify(report)).not.toContain('not-the-password');
  });

  it('wrong domain: AUTH_REJECTED', async () => {
    const { report } = await run(credential({ port: http.port, domain: 'OTHERDOMAIN' }));
    expect(report.error?.code).toBe('AUTH_REJECTED');
  });

  it('Basic over HTTP without the explicit allowance: ENCRYPTION_REQUIRED before anything is sent', async () => {
    const { report } = await run(credential({ auth: 'basic', port: http.port }));
    expect(report.error?.code).toBe('ENCRYPTION_REQUIRED');
    expect(report.stages).toEqual([]);
  });

  it('an unencrypted message over HTTP is refused like Windows does: ENCRYPTION_REQUIRED', async () => {
    const { report } = await run(credential({ auth: 'basic', port: http.port, allowBasicOverHttp: true }));
    expect(report.error?.code).toBe('ENCRYPTION_REQUIRED');
    expect(report.stages.at(-1)).toMatchObject({ stage: 'probe', status: 'failed' });
  });

  it('Basic disabled on the server: BASIC_DISABLED, with the schemes it offers', async () => {
    const ntlmOnly = await startWinrmEmulator({ users, https: { cert: tls.cert, key: tls.key } });
    try {
      const { report } = await run(credential({ auth: 'basic', port: ntlmOnly.port, useSsl: true }), { tlsCa: tls.ca });
      expect(report.error?.code).toBe('BASIC_DISABLED');
      expect(stage(report, 'auth')?.details.schemesOffered).toEqual(['Negotiate']);
    } finally {
      await ntlmOnly.close();
    }
  });

  it('an untrusted certificate: TLS_UNTRUSTED with what the certificate says', async () => {
    const { report } = await run(credential({ port: httpsBasic.port, useSsl: true }));
    expect(report.error?.code).toBe('TLS_UNTRUSTED');
    expect(report.error?.details).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=Strongroom WinRM Test CA' });
    expect(stage(report, 'tls')).toMatchObject({ status: 'failed', details: { chain: 'untrusted' } });
  });

  it('a WS-Man fault (the user may not open a shell): WSMAN_FAULT with its codes', async () => {
    const { report } = await run(credential({ domain: NO_SHELL.domain, username: NO_SHELL.username, password: NO_SHELL.password, port: http.port }));
    expect(report.error).toMatchObject({ code: 'WSMAN_FAULT', details: { wsmanCode: '5', faultSubcode: 'w:AccessDenied', httpStatus: 500 } });
    expect(report.error?.message).toMatch(/Access is denied/);
    expect(report.stages.at(-1)).toMatchObject({ stage: 'probe', status: 'failed' });
  });

  it('a command with a non-zero exit code: PROBE_FAILED with the code and output', async () => {
    const { report } = await run(credential({ port: http.port }), { probeCommands: ['hostname', 'exit 3'] });
    expect(report.error).toMatchObject({ code: 'PROBE_FAILED', details: { command: 'exit 3', exitCode: 3 } });
    expect(stage(report, 'probe')?.details).toMatchObject({ hostname: 'WIN-EMULATOR', exitCodes: ['hostname: 0', 'exit 3: 3'], shellDeleted: true });
  });

  it('an unknown command: PROBE_FAILED with cmd’s message on stderr', async () => {
    const { report } = await run(credential({ port: http.port }), { probeCommands: ['frobnicate'] });
    expect(report.error).toMatchObject({ code: 'PROBE_FAILED', details: { exitCode: 1, stderr: expect.stringMatching(/not recognized/) } });
  });

  it('nothing listening: REFUSED at the tcp stage', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const { report } = await run(credential({ port }), { host: '127.0.0.1' });
    expect(report.error?.code).toBe('REFUSED');
    expect(report.stages.at(-1)).toMatchObject({ stage: 'tcp', status: 'failed' });
  });

  it('an unknown host: DNS', async () => {
    const { report } = await run(credential({ port: 5985 }), { host: 'no-such-host.invalid' });
    expect(report.error?.code).toBe('DNS');
  });

  it('a server that never answers: TIMEOUT at the handshake', async () => {
    const port = (silent.address() as { port: number }).port;
    const { report } = await run(credential({ port }), { host: '127.0.0.1', timeoutMs: 300 });
    expect(report.error?.code).toBe('TIMEOUT');
    expect(report.stages.at(-1)).toMatchObject({ stage: 'handshake', status: 'failed' });
  });

  it('an invalid credential is reported, not thrown', async () => {
    const { report } = await run({ username: 'x', auth: 'ntlm', useSsl: false, port: http.port });
    expect(report.error?.code).toBe('INTERNAL');
    expect(report.error?.message).toMatch(/password/);
  });
});
