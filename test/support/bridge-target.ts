/**
 * A running bridge process with a store that holds a secret and is unlocked,
 * for the fuzz tests: they hash the store, throw hostile input at the bridge,
 * then check the process and its delegate are the same ones, the store is
 * unchanged, and the secret still reveals.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type WebSocket from 'ws';
import type { AppCore } from '../../src-main/core/app-core.js';
import type { Channel, IpcResult } from '../../src-shared/contract.js';
import { childPids, startBridge, type RunningBridge } from '../e2e/bridge-harness.js';
import { ask, handshakeHeaders, openSocket, redeemLaunchUrl, type BridgeSessionCredentials } from './bridge-wire.js';
import { call, createSecret, createVault, reveal, sealedUnlock } from './core-harness.js';

export const CANARY_NAME = 'fuzz-canary';
export const CANARY_VALUE = 'the value the fuzzers must leave readable';

export interface FuzzTarget {
  bridge: RunningBridge;
  session: BridgeSessionCredentials;
  /** An open socket for checks; the fuzzers use their own. */
  control: WebSocket;
  delegatePids: number[];
  /** The core's API spoken over `control`, for the core-harness helpers. */
  core: AppCore;
}

/** Every row of every table, in a fixed order, hashed: changes if the store changes at all. */
export function storeDigest(dataDir: string): string {
  const db = new BetterSqlite3(join(dataDir, 'strongroom.db'), { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    for (const table of tables) {
      hash.update(`table ${table}\n`);
      const quoted = `"${table.replaceAll('"', '""')}"`;
      for (const row of db.prepare(`SELECT * FROM ${quoted}`).raw().all() as unknown[][]) {
        hash.update(JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : typeof value === 'bigint' ? value.toString() : value)));
        hash.update('\n');
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/** Resident memory of a process, in KiB (Linux). */
export function residentKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN);
}

export async function startFuzzTarget(dataDir: string): Promise<FuzzTarget> {
  const bridge = await startBridge(dataDir);
  try {
    const session = await redeemLaunchUrl(bridge.url);
    const control = await openSocket(session.port, handshakeHeaders(session));
    let nextId = 1;
    const core = {
      handle: async (channel: string, request: unknown) => (await ask(control, { id: nextId++, channel, request })).result as IpcResult<Channel>,
    } as AppCore;
    await createVault(core);
    await createSecret(core, CANARY_NAME, CANARY_VALUE);
    await call(core, 'vault.lock', {});
    await call(core, 'vault.unlock', await sealedUnlock(core));
    return { bridge, session, control, delegatePids: childPids(bridge.pid), core };
  } catch (error) {
    await bridge.stop();
    throw error;
  }
}

/** Between fuzz rounds: the same bridge process, still answering. Reads nothing that is audited. */
export async function expectAnswering(target: FuzzTarget): Promise<void> {
  process.kill(target.bridge.pid, 0); // throws if the bridge process is gone
  const status = await call(target.core, 'app.status', {});
  if (!status.unlocked) throw new Error('the store is no longer unlocked');
}

/** The checks every fuzzer ends with, after the store digest (a reveal is audited): same processes, and the canary still lists and reveals. */
export async function expectStillServing(target: FuzzTarget): Promise<{ delegatePids: number[]; revealed: string }> {
  await expectAnswering(target);
  const delegatePids = childPids(target.bridge.pid);
  const listed = await call(target.core, 'secrets.list', {});
  const canary = listed.items.find((item) => item.name === CANARY_NAME);
  if (!canary) throw new Error('the canary secret is no longer listed');
  return { delegatePids, revealed: await reveal(target.core, canary.id) };
}
