/**
 * `strongroom unlock`, `lock` and `status`: a session agent per data folder,
 * so later commands skip the passphrase and the key derivation.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sealBindings, sealValues } from '../../src-shared/sealed-box.js';
import { SessionClient } from '../core/session/session-client.js';
import { DEFAULT_SESSION_TIMEOUT, sessionStoreCheckSchema, type SessionStatus } from '../core/session/session-protocol.js';
import type * as z from 'zod/mini';
import { UsageError, UserError } from './cli-errors.js';
import { keyWorkLines, sessionKeyWork, storedKeyWork } from './key-work-report.js';
import { agentAnnouncementSchema, agentOutcomeSchema } from './session-handshake.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `15m`, `2h`; at most a day. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 86_400_000) throw new UsageError('--timeout takes a duration from 1s to 24h, such as 90s, 15m or 2h.');
  return ms;
}

function describeStatus(dataDir: string, status: SessionStatus): string {
  const who = status.server === 'app' ? `the app (pid ${status.pid})` : `a session agent (pid ${status.pid})`;
  const until =
    status.expiresAt === null || status.idleTimeoutMs === null
      ? 'it stays open until the app locks'
      : `it locks at ${status.expiresAt} unless used (idle timeout ${Math.round(status.idleTimeoutMs / 1000)} s)`;
  return `A session is open for ${dataDir}, served by ${who}; ${until}.`;
}

type StoreCheckReport = z.infer<typeof sessionStoreCheckSchema>['storeCheck'];

/** The last store check, as the session's core reports it; null when none ran or the reply says nothing usable. */
async function lastStoreCheck(session: SessionClient): Promise<StoreCheckReport> {
  const reply = await session.handle('app.status', {});
  const parsed = reply.ok ? sessionStoreCheckSchema.safeParse(reply.value) : null;
  return parsed?.success ? parsed.data.storeCheck : null;
}

/** A failed store check is said at every status and unlock until a check passes: the store file needs a restore. */
function storeCheckWarning(dataDir: string, check: StoreCheckReport): string | null {
  if (!check || check.ok) return null;
  const more = check.problems.length > 1 ? ` (and ${check.problems.length - 1} more)` : '';
  return `Warning: the store check at ${check.at} found the store file in ${dataDir} damaged: ${check.problems[0] ?? 'unknown problem'}${more}. Run "strongroom store check" for the list, and restore from a backup with "strongroom import --from BACKUP" into an empty data folder.`;
}

/** The session's status line, then the store check's warning when the last one failed. */
async function report(out: Out, dataDir: string, session: SessionClient, status: SessionStatus): Promise<void> {
  out.stderr.write(`${describeStatus(dataDir, status)}\n`);
  const warning = storeCheckWarning(dataDir, await lastStoreCheck(session));
  if (warning) out.stderr.write(`${warning}\n`);
}

interface Out {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Whether a session is open, and key work: running or its last outcome from the session's core, or with no
 * session what the store file records (an interrupted rotation waiting for the next unlock), read with no key.
 */
export async function statusCommand(out: Out, dataDir: string, json: boolean): Promise<number> {
  const session = await SessionClient.open(dataDir);
  if (!session) {
    const keyWork = storedKeyWork(dataDir);
    if (json) out.stdout.write(`${JSON.stringify({ open: false, keyWork })}\n`);
    else out.stderr.write([`No session is open for ${dataDir}.`, ...keyWorkLines(keyWork)].map((line) => `${line}\n`).join(''));
    return 1;
  }
  try {
    const status = await session.status();
    const keyWork = await sessionKeyWork(session, dataDir);
    if (json) out.stdout.write(`${JSON.stringify({ open: true, ...status, storeCheck: await lastStoreCheck(session), keyWork })}\n`);
    else {
      await report(out, dataDir, session, status);
      for (const line of keyWorkLines(keyWork)) out.stderr.write(`${line}\n`);
    }
    return 0;
  } finally {
    session.close();
  }
}

export async function lockCommand(out: Out, dataDir: string): Promise<number> {
  const session = await SessionClient.open(dataDir);
  if (!session) {
    out.stderr.write(`No session is open for ${dataDir}; nothing to lock.\n`);
    return 0;
  }
  try {
    await session.lock();
  } finally {
    session.close();
  }
  out.stderr.write(`Locked: the session for ${dataDir} is closed.\n`);
  return 0;
}

/** Reads one JSON line from the agent; null when it closed stdout first. */
function nextLine(lines: AsyncIterator<string>): Promise<unknown> {
  return lines.next().then((line) => (line.done ? null : (JSON.parse(line.value) as unknown)));
}

export async function unlockCommand(
  out: Out,
  dataDir: string,
  options: { timeout: string | undefined; agentEntry: string; passphrase: () => Promise<string> },
): Promise<number> {
  const idleTimeoutMs = parseDuration(options.timeout ?? DEFAULT_SESSION_TIMEOUT);
  const existing = await SessionClient.open(dataDir);
  if (existing) {
    try {
      await report(out, dataDir, existing, await existing.status());
    } finally {
      existing.close();
    }
    return 0;
  }
  const passphrase = await options.passphrase();
  const agent = spawn(process.execPath, [options.agentEntry, '--data-dir', dataDir, '--idle-timeout-ms', String(idleTimeoutMs), '--parent-pid', String(process.pid)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => agent.once('exit', () => resolve()));
  const lines = createInterface({ input: agent.stdout })[Symbol.asyncIterator]();
  try {
    const announced = agentAnnouncementSchema.safeParse(await nextLine(lines));
    if (!announced.success) throw new UserError('The session agent did not start.');
    if ('error' in announced.data) throw new UserError(announced.data.error.message);
    const sealedPassphrase = await sealValues(announced.data.delegatePublicKey, sealBindings.vaultUnlock(), [passphrase]);
    agent.stdin.end(`${JSON.stringify({ sealedPassphrase })}\n`);
    const outcome = agentOutcomeSchema.safeParse(await nextLine(lines));
    if (!outcome.success) throw new UserError('The session agent stopped before unlocking.');
    if (!outcome.data.ok) throw new UserError(outcome.data.error.message);
    agent.stdout.destroy();
    agent.unref();
    out.stderr.write(`${describeStatus(dataDir, outcome.data.status)}\nLater commands on this data folder need no passphrase; "strongroom lock" ends the session.\n`);
    // The unlock just ran the weekly store check when it was due: ask the new session how it went.
    const opened = await SessionClient.open(dataDir);
    if (opened) {
      try {
        const warning = storeCheckWarning(dataDir, await lastStoreCheck(opened));
        if (warning) out.stderr.write(`${warning}\n`);
      } finally {
        opened.close();
      }
    }
    return 0;
  } catch (error) {
    if (agent.exitCode === null) agent.kill();
    await exited;
    throw error;
  }
}
