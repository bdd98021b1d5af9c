/**
 * Connection tests end to end through main: the CLI and the IPC channels, a
 * real sshd and the WinRM emulator on loopback, the scope check, the live
 * stage events, host-key trust and the history. (The testers' own case
 * matrices are in ssh-*.test.ts and winrm-*.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { sealBindings, sealValues, type AppEvent } from '../../src-shared/contract.js';
import { DELEGATE_ENTRY, PASSPHRASE, call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';
import { startSshd, type SshdUser, type TestSshd } from '../fixtures/sshd.js';
import { startWinrmEmulator, type WinrmEmulator } from '../emulators/winrm-emulator.js';

describe('connection tests through main', () => {
  const dir = tempDir();
  const store = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  let sshd: TestSshd;
  let winrm: WinrmEmulator;
  let user: SshdUser;
  let core: AppCore;
  const events: AppEvent[] = [];
  const ids: Record<string, string> = {};

  const cli = (args: string[]) => runCliInProcess(['--data-dir', store, '--passphrase-file', passphraseFile, ...args], { core: { delegateEntry: DELEGATE_ENTRY } });
  const create = async (name: string, type: string, metadata: Record<string, unknown>, payload: unknown) => {
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const sealedValue = await sealValues(delegatePublicKey!, sealBindings.secretCreate([name]), [JSON.stringify(payload)]);
    return (await call(core, 'secrets.create', { name, type: type as 'ssh', metadata, sealedValue })).id;
  };

  beforeAll(async () => {
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    sshd = await startSshd();
    user = await sshd.addUser({ password: 'correct-ssh-password' });
    winrm = await startWinrmEmulator({ basicEnabled: false, users: [{ username: 'operator', password: 'correct-win-password', domain: 'EMULATOR' }] });
    core = await startCore(store);
    core.onEvent((event) => events.push(event));
    await createVault(core);
    ids.ssh = await create('ssh_ok', 'ssh', { username: user.name, auth: 'password', port: sshd.port }, { password: user.password });
    ids.sshWrong = await create('ssh_wrong', 'ssh', { username: user.name, auth: 'password', port: sshd.port }, { password: 'not-the-password' });
    ids.win = await create('win_ok', 'winrm', { domain: 'EMULATOR', username: 'operator', auth: 'ntlm', port: winrm.port }, { password: 'correct-win-password' });
    const app = await call(core, 'apps.create', { name: 'ops' });
    const env = await call(core, 'envs.create', { applicationId: app.id, name: 'live', type: 'production' });
    ids.scoped = await create('ssh_scoped', 'ssh', { username: user.name, auth: 'password', port: sshd.port }, { password: user.password });
    await call(core, 'secrets.setScope', { id: ids.scoped, scope: { scoped: true, entries: [{ applicationId: app.id, environmentId: env.id, environmentType: null }] } });
  });

  afterAll(async () => {
    await core?.close();
    await winrm?.close();
    await sshd?.stop();
    dir.remove();
  });

  it('fails closed on an unknown host key, shows it, and trusts it only when the user says so', async () => {
    const testId = randomUUID();
    const first = await call(core, 'connections.test', { testId, secretId: ids.ssh!, host: '127.0.0.1' });
    expect(first.report.ok).toBe(false);
    expect(first.report.error?.code).toBe('HOST_KEY_UNKNOWN');
    const handshake = first.report.stages.find((stage) => stage.stage === 'handshake');
    expect(sshd.hostKeys.map((key) => key.fingerprint)).toContain(handshake?.details.fingerprint);
    // Live stages arrived as events for this test while it ran.
    const live = events.filter((event) => event.type === 'connection.stage' && event.testId === testId);
    expect(live.map((event) => (event.type === 'connection.stage' ? event.stage.stage : ''))).toEqual(first.report.stages.map((stage) => stage.stage));
    expect((await call(core, 'knownHosts.list', {})).items).toEqual([]);

    const trusted = await call(core, 'connections.trustHostKey', { testId });
    expect(trusted).toMatchObject({ host: '127.0.0.1', port: sshd.port, fingerprint: handshake?.details.fingerprint });
    const second = await call(core, 'connections.test', { testId: randomUUID(), secretId: ids.ssh!, host: '127.0.0.1' });
    expect(second.report).toMatchObject({ ok: true, error: null });
    expect(second.report.stages.map((stage) => stage.stage)).toEqual(['dns', 'tcp', 'handshake', 'auth', 'probe']);
    expect(second.report.stages.find((stage) => stage.stage === 'probe')?.details).toMatchObject({ command: 'whoami', output: user.name });
  });

  it('refuses to trust a changed host key', async () => {
    const real = (await call(core, 'knownHosts.list', {})).items[0]!;
    await call(core, 'knownHosts.remove', { host: real.host, port: real.port, keyType: real.keyType });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(store, 'strongroom.db'));
    db.prepare("INSERT INTO known_hosts VALUES ('127.0.0.1', ?, ?, 'SHA256:somebodyElsesKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'AAAA', 'now', 'test')").run(sshd.port, real.keyType);
    db.close();
    const testId = randomUUID();
    const changed = await call(core, 'connections.test', { testId, secretId: ids.ssh!, host: '127.0.0.1', acceptNewHostKey: true });
    expect(changed.report.error?.code).toBe('HOST_KEY_CHANGED');
    expect(changed.hostKeyTrusted).toBe(false);
    expect((await callError(core, 'connections.trustHostKey', { testId })).code).toBe('INVALID_REQUEST');
    await call(core, 'knownHosts.remove', { host: '127.0.0.1', port: sshd.port, keyType: real.keyType });
  });

  it('strongroom test ssh: --accept-new-host-key, live log, --json report, exit codes', async () => {
    const ok = await cli(['test', 'ssh', '--secret', 'ssh_ok', '--host', '127.0.0.1', '--accept-new-host-key', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^ok {3}dns/m);
    expect(ok.stderr).toContain('Trusted the new host key');
    const report = JSON.parse(ok.stdout) as { ok: boolean; stages: { stage: string }[] };
    expect(report.ok).toBe(true);

    const wrong = await cli(['test', 'ssh', '--secret', 'ssh_wrong', '--host', '127.0.0.1', '--json']);
    expect(wrong.code).toBe(1);
    const failed = JSON.parse(wrong.stdout) as { error: { code: string; details?: Record<string, unknown> } };
    expect(failed.error.code).toBe('AUTH_REJECTED');
    expect(wrong.stdout).not.toContain('not-the-password');

    const refused = await cli(['test', 'ssh', '--secret', 'ssh_ok', '--host', '127.0.0.1', '--port', '1', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe('REFUSED');
    expect((await cli(['test', 'ssh', '--secret', 'ssh_ok'])).code).toBe(2);
    expect((await cli(['test', 'winrm', '--secret', 'ssh_ok', '--host', '127.0.0.1'])).code).toBe(1);
  });

  it('runs every test as a consumer through the scope check', async () => {
    const denied = await cli(['test', 'ssh', '--secret', 'ssh_scoped', '--host', '127.0.0.1']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/not in scope/);
    const allowed = await cli(['test', 'ssh', '--secret', 'ssh_scoped', '--host', '127.0.0.1', '--app', 'ops', '--env', 'live']);
    expect(allowed.code).toBe(0);
  });

  it('strongroom test winrm: NTLM with message encryption against the emulator', async () => {
    const ok = await cli(['test', 'winrm', '--secret', 'win_ok', '--host', '127.0.0.1', '--json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; stages: { stage: string; details: Record<string, unknown> }[] };
    expect(report.ok).toBe(true);
    expect(report.stages.find((stage) => stage.stage === 'auth')?.details).toMatchObject({ schemeUsed: 'NTLM (via Negotiate)', messageEncryption: expect.stringContaining('NTLM sealing') });
  });

  it('keeps a history of tests per credential, and audits each', async () => {
    const { items } = await call(core, 'connections.history', { secretId: ids.ssh! });
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(items.some((item) => item.ok)).toBe(true);
    expect(items.some((item) => item.errorCode === 'HOST_KEY_UNKNOWN')).toBe(true);
    const audit = await call(core, 'audit.list', { limit: 200 });
    expect(audit.items.filter((entry) => entry.action === 'connection.test').length).toBeGreaterThanOrEqual(6);
    expect(audit.items.some((entry) => entry.action === 'hostkey.trust')).toBe(true);
    expect((await callError(core, 'connections.test', { testId: randomUUID(), secretId: ids.ssh!, host: 'bad host!' })).code).toBe('INVALID_REQUEST');
  });

  it('strongroom known-hosts list and remove: a CLI-only admin forgets a host key, audited like the app does', async () => {
    const hostPort = `127.0.0.1:${sshd.port}`;
    const listed = await cli(['known-hosts', 'list', '--json']);
    expect(listed.code).toBe(0);
    const trusted = (JSON.parse(listed.stdout) as { host: string; port: number; keyType: string; fingerprint: string }[]).filter((known) => known.port === sshd.port);
    expect(trusted).toHaveLength(1);
    expect(sshd.hostKeys.map((key) => key.fingerprint)).toContain(trusted[0]!.fingerprint);
    expect((await cli(['known-hosts', 'list'])).stdout).toContain(`${hostPort}\t${trusted[0]!.keyType}\t${trusted[0]!.fingerprint}`);

    const removed = await cli(['known-hosts', 'remove', hostPort]);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain(`Removed the ${trusted[0]!.keyType} key of ${hostPort}`);
    expect((await call(core, 'knownHosts.list', {})).items.filter((known) => known.port === sshd.port)).toEqual([]);
    const audit = await call(core, 'audit.list', { action: 'hostkey.remove', actor: 'cli' });
    expect(audit.items[0]).toMatchObject({ target: hostPort, outcome: 'success', detail: trusted[0]!.keyType, actor: expect.stringMatching(/^cli/) });

    // The key is unknown again: a test stops at it until the admin accepts the new one.
    const unknown = await cli(['test', 'ssh', '--secret', 'ssh_ok', '--host', '127.0.0.1', '--json']);
    expect(JSON.parse(unknown.stdout).error.code).toBe('HOST_KEY_UNKNOWN');

    const again = await cli(['known-hosts', 'remove', hostPort]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No host key is stored for ${hostPort}`);
    expect((await cli(['known-hosts', 'remove', '127.0.0.1:99999'])).code).toBe(2);
    expect((await cli(['known-hosts', 'remove'])).code).toBe(2);
  });
});
