/**
 * The per-stage connection-test deadline: the connectTimeoutSeconds setting (validated) and
 * `test ssh --timeout`, through the CLI, main and the real delegate against a loopback
 * server that accepts and never sends the SSH banner.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { sealBindings, sealValues } from '../../src-shared/contract.js';
import { DELEGATE_ENTRY, PASSPHRASE, call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';

describe('connection test timeout', () => {
  const dir = tempDir();
  const store = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const sockets = new Set<Socket>();
  let silent: Server;
  let port: number;
  let core: AppCore;

  const cli = (args: string[]) => runCliInProcess(['--data-dir', store, '--passphrase-file', passphraseFile, ...args], { core: { delegateEntry: DELEGATE_ENTRY } });

  beforeAll(async () => {
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve, reject) => {
      silent.once('error', reject);
      silent.listen(0, '127.0.0.1', resolve);
    });
    port = (silent.address() as { port: number }).port;
    core = await startCore(store);
    await createVault(core);
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const sealedValue = await sealValues(delegatePublicKey!, sealBindings.secretCreate(['silent_ssh']), [JSON.stringify({ password: 'pw' })]);
    await call(core, 'secrets.create', { name: 'silent_ssh', type: 'ssh', metadata: { username: 'nobody', auth: 'password', port }, sealedValue });
  }, 60_000);

  afterAll(async () => {
    await core?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    dir.remove();
  });

  it('keeps the setting within 1 to 300 seconds, 20 by default', async () => {
    expect((await call(core, 'app.status', {})).settings.connectTimeoutSeconds).toBe(20);
    expect((await callError(core, 'settings.update', { connectTimeoutSeconds: 0 })).code).toBe('INVALID_REQUEST');
    expect((await callError(core, 'settings.update', { connectTimeoutSeconds: 301 })).code).toBe('INVALID_REQUEST');
    expect((await call(core, 'settings.update', { connectTimeoutSeconds: 45 })).connectTimeoutSeconds).toBe(45);
    expect((await call(core, 'app.status', {})).settings.connectTimeoutSeconds).toBe(45);
  });

  it('gives up at the SSH banner with TIMEOUT after --timeout, overriding the setting', async () => {
    const run = await cli(['test', 'ssh', '--secret', 'silent_ssh', '--host', '127.0.0.1', '--timeout', '1', '--json']);
    const report = JSON.parse(run.stdout) as { ok: boolean; error: { code: string } | null; stages: { stage: string; status: string }[] };
    expect(run.code).toBe(1);
    expect(report.error?.code).toBe('TIMEOUT');
    expect(report.stages.find((stage) => stage.stage === 'tcp')?.status).toBe('ok');
    expect(report.stages.find((stage) => stage.stage === 'handshake')?.status).toBe('failed');
    expect(run.stderr).toContain('TIMEOUT');
  }, 120_000);

  it('refuses a --timeout outside 1 to 300 seconds as a usage error', async () => {
    expect((await cli(['test', 'ssh', '--secret', 'silent_ssh', '--host', '127.0.0.1', '--timeout', '0'])).code).toBe(2);
    expect((await cli(['test', 'ssh', '--secret', 'silent_ssh', '--host', '127.0.0.1', '--timeout', 'soon'])).code).toBe(2);
    const help = await cli(['test', 'ssh', '--help']);
    expect(help.stdout + help.stderr).toContain('--timeout');
  }, 120_000);
});
