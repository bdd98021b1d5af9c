// The WinRM emulator checked by a client we did not write: Debian's
// python3-winrm (pywinrm) with requests-ntlm, ntlm-auth and requests-kerberos.
// run_cmd over Basic (HTTPS, test CA), NTLM with message encryption over
// HTTP, NTLM over HTTPS with channel binding, Kerberos against a real MIT
// KDC; and the refusals a real server gives. Also the standalone start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKdc, type TestKdc } from '../fixtures/kdc.js';
import { describeNeeding, PYTHON } from '../fixtures/system-tools.js';
import {
  bundleEntry,
  createTestCertificates,
  startWinrmEmulator,
  startWinrmEmulatorProcess,
  type EmulatorUser,
  type WinrmEmulator,
} from './winrm-emulator.js';

const SCRIPT = fileURLToPath(new URL('./pywinrm-client.py', import.meta.url));
const ALICE = { domain: 'EMULATOR', username: 'alice', password: 'alice-Pa55word!' };
const users: EmulatorUser[] = [ALICE, { username: 'localadmin', password: 'local-Pa55word!' }];

let dir: string;
let tls: ReturnType<typeof createTestCertificates>;
let http: WinrmEmulator;
let https: WinrmEmulator;
/** Python's hashlib needs OpenSSL's legacy provider for MD4; its RC4 is ntlm-auth's own. */
let legacyOpenssl: Record<string, string>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sr-pywinrm-'));
  tls = createTestCertificates(mkdtempSync(join(dir, 'tls-')));
  const opensslConf = join(dir, 'openssl-legacy.cnf');
  writeFileSync(
    opensslConf,
    ['openssl_conf = openssl_init', '[openssl_init]', 'providers = provider_sect', '[provider_sect]', 'default = default_sect', 'legacy = legacy_sect', '[default_sect]', 'activate = 1', '[legacy_sect]', 'activate = 1', ''].join('\n'),
  );
  legacyOpenssl = { OPENSSL_CONF: opensslConf };
  http = await startWinrmEmulator({ users });
  https = await startWinrmEmulator({ users, basicEnabled: true, https: { cert: tls.cert, key: tls.key } });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
  await Promise.all([http?.close(), https?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PywinrmResult {
  ok: boolean;
  results?: { status_code: number; std_out: string; std_err: string }[];
  error_type?: string;
  error?: string;
}

/** Runs pywinrm with the request on stdin (passwords never on a command line). */
function pywinrm(request: Record<string, unknown>, env: Record<string, string> = {}): Promise<PywinrmResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', () => {
      children.delete(child);
      try {
        resolve(JSON.parse(stdout) as PywinrmResult);
      } catch {
        reject(new Error(`pywinrm printed no result: ${stdout} ${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

const ntlm = (endpoint: string, extra: Record<string, unknown> = {}) =>
  pywinrm({ endpoint, transport: 'ntlm', username: 'EMULATOR\\alice', password: ALICE.password, ...extra }, legacyOpenssl);

describeNeeding(['python3-winrm'], 'pywinrm against the emulator: Basic and NTLM', () => {
  it('run_cmd over Basic on HTTPS, validating the certificate with the test CA', async () => {
    const result = await pywinrm({ endpoint: https.endpoint, transport: 'basic', username: 'EMULATOR\\alice', password: ALICE.password, ca_trust_path: tls.caPath, command: 'hostname' });
    expect(result).toMatchObject({ ok: true, results: [{ status_code: 0, std_out: 'WIN-EMULATOR\r\n' }] });
  });

  it('Basic with a wrong password is rejected', async () => {
    const result = await pywinrm({ endpoint: https.endpoint, transport: 'basic', username: 'EMULATOR\\alice', password: 'wrong', ca_trust_path: tls.caPath });
    expect(result).toMatchObject({ ok: false, error_type: 'InvalidCredentialsError' });
  });

  it('Basic is refused where it is disabled', async () => {
    const result = await pywinrm({ endpoint: http.endpoint, transport: 'basic', username: 'alice', password: ALICE.password, message_encryption: 'never' });
    expect(result).toMatchObject({ ok: false, error_type: 'InvalidCredentialsError' });
  });

  it('run_cmd over NTLM with message encryption on HTTP', async () => {
    const result = await ntlm(http.endpoint, { command: 'whoami' });
    expect(result).toMatchObject({ ok: true, results: [{ status_code: 0, std_out: 'emulator\\alice\r\n' }] });
  });

  it('NTLM: output, stderr and exit codes come through sealed', async () => {
    expect(await ntlm(http.endpoint, { command: 'echo', args: ['hello', 'world'] })).toMatchObject({ results: [{ status_code: 0, std_out: 'hello world\r\n' }] });
    expect(await ntlm(http.endpoint, { command: 'exit 3' })).toMatchObject({ results: [{ status_code: 3 }] });
    expect(await ntlm(http.endpoint, { command: 'dir' })).toMatchObject({ results: [{ status_code: 1, std_err: expect.stringMatching(/'dir' is not recognized/) }] });
  });

  it('run_cmd over NTLM on HTTPS, where pywinrm sends a channel binding', async () => {
    const result = await ntlm(https.endpoint, { ca_trust_path: tls.caPath, command: 'hostname' });
    expect(result).toMatchObject({ ok: true, results: [{ status_code: 0, std_out: 'WIN-EMULATOR\r\n' }] });
  });

  it('a local account authenticates without a domain', async () => {
    const result = await pywinrm({ endpoint: http.endpoint, transport: 'ntlm', username: 'localadmin', password: 'local-Pa55word!', command: 'whoami' }, legacyOpenssl);
    expect(result).toMatchObject({ ok: true, results: [{ std_out: 'win-emulator\\localadmin\r\n' }] });
  });

  it('NTLM with a wrong password or a wrong domain is rejected', async () => {
    expect(await ntlm(http.endpoint, { password: 'not-it' })).toMatchObject({ ok: false, error_type: 'InvalidCredentialsError' });
    expect(await ntlm(http.endpoint, { username: 'ELSEWHERE\\alice' })).toMatchObject({ ok: false, error_type: 'InvalidCredentialsError' });
  });

  it('an unencrypted NTLM message over HTTP is refused with HTTP 500, as Windows does', async () => {
    const result = await ntlm(http.endpoint, { message_encryption: 'never' });
    expect(result).toMatchObject({ ok: false, error_type: 'WinRMTransportError' });
    expect(result.error).toMatch(/500/);
  });

  it('a command in a shell the server never created gets a WS-Man fault', async () => {
    const result = await ntlm(http.endpoint, { unknown_shell: true });
    expect(result).toMatchObject({ ok: false, error_type: 'WinRMError' });
    expect(result.error).toMatch(/2150858843/);
    expect(result.error).toMatch(/InvalidSelectors/);
  });
});

describeNeeding(['python3-winrm', 'python3-requests-kerberos', 'krb5kdc', 'kdb5_util', 'kadmin.local', 'kinit'], 'pywinrm against the emulator: Kerberos', () => {
  let kdc: TestKdc;
  let krbDir: string;
  let kerberosHttps: WinrmEmulator & { pid: number };
  let kerberosHttp: WinrmEmulator & { pid: number };
  let clientEnv: Record<string, string>;

  beforeAll(async () => {
    kdc = await startKdc();
    krbDir = mkdtempSync(join(dir, 'krb-'));
    await kdc.addPrincipal('alice', 'alice-Kerberos-1');
    await kdc.addPrincipal('eve', 'eve-Kerberos-1');
    const service = await kdc.addRandomKeyPrincipal('HTTP/localhost');
    const keytabPath = join(krbDir, 'http.keytab');
    await kdc.exportKeytab(service, keytabPath);
    const kerberosUsers = [{ username: 'alice', principal: `alice@${kdc.realm}` }];
    kerberosHttps = await startWinrmEmulatorProcess({ users: kerberosUsers, kerberos: { keytabPath, env: kdc.env }, https: { cert: tls.cert, key: tls.key } });
    kerberosHttp = await startWinrmEmulatorProcess({ users: kerberosUsers, kerberos: { keytabPath, env: kdc.env } });
    clientEnv = { ...kdc.env, KRB5CCNAME: `FILE:${join(krbDir, 'ccache')}` };
  });

  afterAll(async () => {
    await Promise.all([kerberosHttps?.close(), kerberosHttp?.close()]);
    await kdc?.stop();
  });

  /** kinit with the password on stdin into the test's private cache. */
  function kinit(principal: string, password: string): Promise<number | null> {
    return new Promise((resolve) => {
      const child = spawn('kinit', [principal], { env: { PATH: process.env.PATH ?? '', ...clientEnv }, stdio: ['pipe', 'ignore', 'ignore'] });
      children.add(child);
      child.once('close', (status) => {
        children.delete(child);
        resolve(status);
      });
      child.stdin.end(`${password}\n`);
    });
  }

  it('run_cmd over Kerberos on HTTPS', async () => {
    expect(await kinit('alice', 'alice-Kerberos-1')).toBe(0);
    const result = await pywinrm({ endpoint: kerberosHttps.endpoint, transport: 'kerberos', username: `alice@${kdc.realm}`, ca_trust_path: tls.caPath, command: 'whoami' }, clientEnv);
    expect(result).toMatchObject({ ok: true, results: [{ status_code: 0, std_out: 'example\\alice\r\n' }] });
  });

  it('a valid ticket for a principal the server does not map is rejected', async () => {
    expect(await kinit('eve', 'eve-Kerberos-1')).toBe(0);
    const result = await pywinrm({ endpoint: kerberosHttps.endpoint, transport: 'kerberos', username: `eve@${kdc.realm}`, ca_trust_path: tls.caPath }, clientEnv);
    expect(result).toMatchObject({ ok: false, error_type: 'InvalidCredentialsError' });
  });

  it('over HTTP, Debian’s pywinrm cannot encrypt Kerberos messages, and the emulator refuses them', async () => {
    expect(await kinit('alice', 'alice-Kerberos-1')).toBe(0);
    const result = await pywinrm({ endpoint: kerberosHttp.endpoint, transport: 'kerberos', username: `alice@${kdc.realm}` }, clientEnv);
    expect(result).toMatchObject({ ok: false, error_type: 'WinRMTransportError' });
    expect(result.error).toMatch(/500/);
  });
});

describe('standalone start', () => {
  it('prints one JSON line with the endpoint and test credentials, serves them, and stops on SIGTERM', async () => {
    const self = fileURLToPath(new URL('./winrm-emulator.ts', import.meta.url));
    const bundle = await bundleEntry(`import { runStandalone } from ${JSON.stringify(self)};\nawait runStandalone(['--port', '0']);\n`);
    const child = spawn(process.execPath, [bundle.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
      });
      const started = JSON.parse(line) as { endpoint: string; credentials: EmulatorUser[] };
      expect(started.endpoint).toMatch(/^http:\/\/localhost:\d+\/wsman$/);
      const alice = started.credentials.find((user) => user.username === 'alice')!;
      const result = await pywinrm({ endpoint: started.endpoint, transport: 'ntlm', username: `${alice.domain}\\alice`, password: alice.password, command: 'whoami' }, legacyOpenssl);
      expect(result).toMatchObject({ ok: true, results: [{ std_out: 'emulator\\alice\r\n' }] });
    } finally {
      if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
      children.delete(child);
      bundle.dispose();
    }
  });
});
