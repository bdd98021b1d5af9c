/**
 * A machine without the Kerberos client tools or the OpenSSH client: the
 * delegate (whose PATH is the only place it looks) reports what is missing
 * through `connections.tools`, and connection tests that need a missing tool
 * end with a typed MISSING_TOOL error naming the package on each platform,
 * through the IPC channels and the CLI alike. (A missing kerberos addon is
 * covered by test/integration/fresh-install.test.ts, which builds without it.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { sealBindings, sealValues, type SecretType } from '../../src-shared/contract.js';
import { DELEGATE_ENTRY, PASSPHRASE, call, createVault, startCore, tempDir } from '../support/core-harness.js';
import { startSshd, type TestSshd } from '../fixtures/sshd.js';
import { startWinrmEmulator, type WinrmEmulator } from '../emulators/winrm-emulator.js';

describe('connection tests on a machine without kinit and ssh', () => {
  const dir = tempDir();
  const store = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const originalPath = process.env.PATH;
  let sshd: TestSshd;
  let winrm: WinrmEmulator;
  let core: AppCore;
  const ids: Record<string, string> = {};

  const create = async (name: string, type: SecretType, metadata: Record<string, unknown>, payload: unknown) => {
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const sealedValue = await sealValues(delegatePublicKey!, sealBindings.secretCreate([name]), [JSON.stringify(payload)]);
    return (await call(core, 'secrets.create', { name, type: type as 'ssh', metadata, sealedValue })).id;
  };

  beforeAll(async () => {
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    // The servers need ssh-keygen; only the delegate started after this runs without the tools.
    sshd = await startSshd();
    winrm = await startWinrmEmulator({ users: [{ username: 'operator', password: 'correct-win-password', domain: 'EMULATOR' }] });
    const emptyBin = join(dir.path, 'bin');
    mkdirSync(emptyBin);
    process.env.PATH = emptyBin;
    core = await startCore(store);
    await createVault(core);
    ids.sshKerberos = await create('krb_ssh', 'ssh-kerberos', { principal: 'alice', realm: 'EXAMPLE.TEST', kdc: '127.0.0.1:1', tgtSource: 'password', port: sshd.port }, { password: 'x' });
    ids.winrmKerberos = await create('krb_win', 'winrm', { username: 'alice', auth: 'kerberos', kerberosSource: 'password', realm: 'EXAMPLE.TEST', kdc: '127.0.0.1:1', port: winrm.port }, { password: 'x' });
  });

  afterAll(async () => {
    process.env.PATH = originalPath;
    await core?.close();
    await winrm?.close();
    await sshd?.stop();
    dir.remove();
  });

  it('the delegate reports which optional tools it found', async () => {
    const { present } = await call(core, 'connections.tools', {});
    expect(present).toMatchObject({ 'kerberos-client': false, 'openssh-client': false });
  });

  it('SSH via Kerberos ends with MISSING_TOOL naming the Kerberos client package per platform', async () => {
    const { report } = await call(core, 'connections.test', { testId: crypto.randomUUID(), secretId: ids.sshKerberos!, host: '127.0.0.1', acceptNewHostKey: true });
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe('MISSING_TOOL');
    expect(report.error?.message).toMatch(/krb5-user.*krb5-workstation.*brew install krb5.*MIT Kerberos for Windows/);
  });

  it('WinRM with Kerberos ends with MISSING_TOOL, never INTERNAL', async () => {
    const { report } = await call(core, 'connections.test', { testId: crypto.randomUUID(), secretId: ids.winrmKerberos!, host: '127.0.0.1' });
    expect(report.error?.code).toBe('MISSING_TOOL');
    expect(report.error?.details).toMatchObject({ tool: 'the Kerberos client tools (kinit, klist, kvno)' });
  });

  it('the CLI prints the same typed error and exits 1', async () => {
    await core.close();
    const { code, stdout, stderr } = await runCliInProcess(['--data-dir', store, '--passphrase-file', passphraseFile, 'test', 'winrm', '--secret', 'krb_win', '--host', '127.0.0.1'], { core: { delegateEntry: DELEGATE_ENTRY } });
    const text = stdout + stderr;
    expect(text).toMatch(/MISSING_TOOL/);
    expect(text).toMatch(/apt-get install krb5-user/);
    expect(code).toBe(1);
  });
});
