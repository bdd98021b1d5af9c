/**
 * `test ssh` through a session, against a real sshd: the stages the agent forwards reach the CLI
 * (checked with their own schema, connectionStageEventSchema) and are printed live, one line each,
 * before the report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, PASSPHRASE, requireBuild, tempDir } from '../support/core-harness.js';
import { runNodeScript } from '../fixtures/process-tools.js';
import { generateKey, startSshd, type TestSshd } from '../fixtures/sshd.js';

describe('test ssh through a session', () => {
  const dir = tempDir('strongroom-session-ssh-');
  const store = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  let sshd: TestSshd;
  let agent = 0;

  const cli = async (args: string[], withPassphrase = false) => {
    const { code, stdout, stderr } = await runNodeScript(CLI_ENTRY, ['--data-dir', store, ...(withPassphrase ? ['--passphrase-file', passphraseFile] : []), ...args]);
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    requireBuild();
    sshd = await startSshd();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    expect((await cli(['init'], true)).code).toBe(0);
    const unlocked = await cli(['unlock', '--timeout', '1h'], true);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    agent = Number(/session agent \(pid (\d+)\)/.exec(unlocked.stderr)?.[1]);
  });

  afterAll(async () => {
    await cli(['lock']);
    if (agent > 0) {
      try {
        process.kill(agent, 'SIGKILL');
      } catch {
        // already gone after the lock
      }
    }
    await sshd?.stop();
    dir.remove();
  });

  it('prints each stage as it ends, then the report, with no passphrase', async () => {
    const key = await generateKey('ed25519');
    const user = await sshd.addUser({ authorizedKeys: [key.publicKey] });
    const keyFile = join(dir.path, 'id_ed25519');
    writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    expect((await cli(['secret', 'create', '--name', 'ssh_login', '--type', 'ssh', '--username', user.name, '--auth', 'key', '--key-file', keyFile])).code).toBe(0);

    const tested = await cli(['test', 'ssh', '--secret', 'ssh_login', '--host', sshd.host, '--port', String(sshd.port), '--accept-new-host-key', '--json']);
    expect(tested.code, tested.stderr).toBe(0);
    const stageLines = tested.stderr.split('\n').filter((line) => /^(ok {2}|FAIL|skip) /.test(line));
    expect(stageLines.map((line) => line.slice(5).trim().split(/\s+/)[0])).toEqual(['dns', 'tcp', 'handshake', 'auth', 'probe']);
    const report = JSON.parse(tested.stdout) as { ok: boolean; stages: { stage: string }[] };
    expect(report.ok).toBe(true);
    expect(report.stages.map((stage) => stage.stage)).toEqual(['dns', 'tcp', 'handshake', 'auth', 'probe']);
  });
});
