/**
 * The session agent `strongroom unlock` starts, detached: one core and its
 * delegate for a data folder, unlocked once, serving CLIs on the session
 * socket until the idle timeout, `strongroom lock`, or a signal.
 *
 * Its stdin and stdout talk to the CLI that started it, one JSON line each
 * way: it announces the delegate's public key, receives the passphrase sealed
 * to the delegate (so this process never sees it), and answers whether the
 * store unlocked and the session opened. Then it is on its own.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createAppCore } from '../core/app-core.js';
import { cliActor } from '../core/request-actor.js';
import { SessionBusyError, startSessionServer, type SessionServer } from '../core/session/session-server.js';
import { agentHandshakeSchema } from './session-handshake.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'idle-timeout-ms': { type: 'string' },
    'parent-pid': { type: 'string' },
  },
});
const dataDir = values['data-dir']!;
const idleTimeoutMs = Number(values['idle-timeout-ms']);
const actor = cliActor(Number(values['parent-pid']));

const say = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
// A session stays, so it finishes key work a killed command left (key-work-resume.ts), as the app does.
const core = await createAppCore({ dataDir, actor: 'cli', resumeKeyWork: true, searchIndex: true });

async function fail(code: string, message: string): Promise<never> {
  say({ ok: false, error: { code, message } });
  await core.close();
  process.exit(1);
}

const status = await core.handle('app.status', {});
if (!status.ok) await fail(status.error.code, status.error.message);
const appStatus = status.ok ? (status.value as { initialized: boolean; delegatePublicKey: string | null }) : null;
if (!appStatus?.initialized) await fail('NOT_INITIALIZED', 'No store exists in this data folder. Run "strongroom init" first.');
say({ delegatePublicKey: appStatus!.delegatePublicKey });

const lines = createInterface({ input: process.stdin });
const firstLine = await new Promise<string | null>((resolve) => {
  lines.once('line', resolve);
  lines.once('close', () => resolve(null));
});
lines.close();
const handshake = agentHandshakeSchema.safeParse(firstLine === null ? null : JSON.parse(firstLine));
if (!handshake.success) await fail('INVALID_REQUEST', 'The CLI sent no sealed passphrase.');

const unlocked = await core.handleAs(actor, 'vault.unlock', { sealedPassphrase: handshake.data!.sealedPassphrase });
if (!unlocked.ok) await fail(unlocked.error.code, unlocked.error.message);

let server: SessionServer;
try {
  server = await startSessionServer({
    core,
    dataDir,
    server: 'agent',
    idleTimeoutMs,
    onStop: () => void core.close().then(() => process.exit(0)),
  });
} catch (error) {
  await core.handle('vault.lock', {});
  await fail(error instanceof SessionBusyError ? 'SESSION_OPEN' : 'INTERNAL', (error as Error).message);
}
say({ ok: true, status: server!.status() });
process.stdout.end();
process.stdin.destroy();
process.on('SIGTERM', () => void server.stop('signal'));
process.on('SIGINT', () => void server.stop('signal'));
process.on('SIGHUP', () => undefined);
