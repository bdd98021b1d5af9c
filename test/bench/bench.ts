/**
 * Strongroom's benchmark. This machine is noisy, so every figure is printed
 * beside a baseline measured in the same run and judged only as a ratio:
 *
 * - create and reveal 1,000 text secrets through the whole stack (a bridge
 *   client acting as the renderer → main → delegate) against the same
 *   AES-256-GCM and SQLite work done in this process with no IPC;
 * - cold start to ready-to-unlock against `node -e 0`;
 * - the KDF (scrypt) against PBKDF2-SHA256 at 600,000 iterations;
 * - unlock to first list against the KDF alone;
 * - the secret list at 100,000 secrets against the same SQL with no IPC
 *   (list-bench.ts);
 * - every keystroke of three search queries at 100,000 and 1,000,000
 *   secrets against the bare first-page SQL (search-bench.ts);
 * - CLI commands through a session and without one (session-bench.ts).
 *
 * Run with `npm run bench` (which builds dist/ first); `npm run bench --
 * session list` runs only the sections named (see SECTIONS). It never fails
 * on a missed goal: it reports it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pbkdf2, randomBytes, randomUUID, scrypt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  createSealRecipient,
  sealBindings,
  sealValues,
  type BridgeReplyFrame,
  type Channel,
  type ChannelRequest,
  type ChannelResult,
} from '../../src-shared/contract.js';
import { openDatabase } from '../../src-main/core/store/database.js';
import { open, seal } from '../../src-delegate/aead.js';
import { dataKeyAad, valueAad } from '../../src-delegate/envelope.js';
import type { SecretAddress } from '../../src-shared/delegate-protocol.js';
import { runListBench, type ListBenchReport } from './list-bench.js';
import { runSearchBench } from './search-bench.js';
import { runKmsBench } from './kms-bench.js';
import { runSanitizerBench } from './sanitizer-bench.js';
import { runMigrationBench } from './migration-bench.js';
import type { Spread } from './latency-probes.js';
import { benchSshPassword } from './ssh-bench.js';
import { runSessionBench } from './session-bench.js';
import { benchWinrmNtlm } from '../emulators/winrm-bench.js';
import { median } from './median.js';
import { handshakeHeaders, openSocket, redeemLaunchUrl } from '../support/bridge-wire.js';

const SECRETS = 1000;
const BATCH_SIZES = [100, 1000] as const;
const GOAL = 0.25;
const PASSPHRASE = 'bench passphrase, long enough';
const SERVE = join(dirname(fileURLToPath(import.meta.url)), '..', 'main', 'serve.js');
const SECTIONS = ['stack', 'list', 'search', 'kms', 'sanitizer', 'migration', 'connections', 'session'] as const;

/** The sections named on the command line, or all of them. */
function selectedSections(): Set<string> {
  const { positionals } = parseArgs({ allowPositionals: true, strict: true, options: {} });
  const unknown = positionals.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`Unknown bench section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}.`);
  return new Set(positionals.length ? positionals : SECTIONS);
}

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);


async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  // A collection in the middle of a sample would be charged to whichever side was unlucky.
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  await work();
  return performance.now() - start;
}

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>();

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Stops a child by its pid: SIGTERM lets serve.js stop its delegate; SIGKILL if it does not go. */
async function stop(child: ChildProcess): Promise<void> {
  children.delete(child);
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid!, name);
    } catch {
      // It exited between the check and the signal.
    }
  };
  signal('SIGTERM');
  const killer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited(child);
  clearTimeout(killer);
}

interface Server {
  child: ChildProcess;
  url: string;
}

function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [SERVE, '--data-dir', dataDir, '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      try {
        const first = JSON.parse(line) as { url: string; pid: number };
        if (first.pid !== child.pid) throw new Error(`serve.js reported pid ${first.pid}, but it runs as ${child.pid}`);
        resolve({ child, url: first.url });
      } catch (error) {
        reject(error);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve.js exited (${code}) before it was ready:\n${stderr}`)));
  });
}

export class BridgeClient {
  private nextId = 1;
  private readonly pending = new Map<number, (frame: Extract<BridgeReplyFrame, { id: number }>) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as BridgeReplyFrame;
      if ('id' in frame) {
        this.pending.get(frame.id)?.(frame);
        this.pending.delete(frame.id);
      }
    });
  }

  /** Spends the launch URL on a session, as the renderer's first page load does, and opens its socket. */
  static async connect(launchUrl: string): Promise<BridgeClient> {
    const session = await redeemLaunchUrl(launchUrl);
    return new BridgeClient(await openSocket(session.port, handshakeHeaders(session)));
  }

  call<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, ({ result }) => {
        if (result.ok) resolve(result.value as ChannelResult<C>);
        else reject(new Error(`${channel}: ${result.error.code}: ${result.error.message}`));
      });
      this.socket.send(JSON.stringify({ id, channel, request }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------- workloads

/** Text values of the size a password or token has, distinct so a mix-up is caught. */
function workload(label: string): { names: string[]; values: string[] } {
  const names = Array.from({ length: SECRETS }, (_, i) => `${label}-${String(i).padStart(4, '0')}`);
  const values = names.map(() => randomBytes(24).toString('base64url'));
  return { names, values };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function assertRoundTrip(expected: string[], actual: string[], what: string): void {
  const bad = expected.findIndex((value, i) => actual[i] !== value);
  if (actual.length !== expected.length || bad >= 0) throw new Error(`${what}: value ${bad} did not round-trip`);
}

async function stackCreateReveal(client: BridgeClient, delegateKey: string, label: string, batch: number) {
  const { names, values } = workload(label);
  const ids: string[] = [];
  const createMs = await timed(async () => {
    for (const [i, batchNames] of chunks(names, batch).entries()) {
      const sealedValues = await sealValues(delegateKey, sealBindings.secretCreate(batchNames), values.slice(i * batch, (i + 1) * batch));
      const { items } = await client.call('secrets.createMany', { items: batchNames.map((name) => ({ name })), sealedValues });
      ids.push(...items.map((item) => item.id));
    }
  });
  const revealed: string[] = [];
  const revealMs = await timed(async () => {
    for (const batchIds of chunks(ids, batch)) {
      const recipient = await createSealRecipient();
      const { sealed } = await client.call('secrets.revealMany', { ids: batchIds, recipientPublicKey: recipient.publicKey });
      revealed.push(...(await recipient.open(sealed, sealBindings.secretReveal(batchIds))));
    }
  });
  assertRoundTrip(values, revealed, `stack, batch ${batch}`);
  return { createMs, revealMs };
}

/** The same rows and the same two GCM seals (or opens) per secret, in this process, in one transaction. */
function baselineStore(dir: string) {
  const db = openDatabase(dir);
  const masterKey = randomBytes(32);
  db.prepare("INSERT INTO keyring (version, kdf, wrapped_key, created_at) VALUES (1, '{}', '', ?)").run(new Date().toISOString());
  const insertSecret = db.prepare(
    "INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at) VALUES (?, ?, NULL, 'text', 'local', 1, ?, ?)",
  );
  const insertVersion = db.prepare(
    'INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by) VALUES (?, 1, ?, ?, 1, ?, ?)',
  );
  const selectCurrent = db.prepare(
    'SELECT s.current_version, s.type, s.manager_id, v.ciphertext, v.wrapped_key FROM secrets s JOIN secret_versions v ON v.secret_id = s.id AND v.version = s.current_version WHERE s.id = ?',
  );
  const address = (secretId: string, version: number, type: SecretAddress['type'], managerId: string): SecretAddress => ({ secretId, version, type, managerId });

  return {
    async run(label: string) {
      const { names, values } = workload(label);
      const ids = names.map(() => randomUUID());
      const createMs = await timed(() =>
        db
          .transaction(() => {
            const now = new Date().toISOString();
            ids.forEach((id, i) => {
              const at = address(id, 1, 'text', 'local');
              const dataKey = randomBytes(32);
              const ciphertext = seal(dataKey, Buffer.from(values[i]!, 'utf8'), valueAad(at)).toString('base64');
              const wrappedKey = seal(masterKey, dataKey, dataKeyAad(at)).toString('base64');
              insertSecret.run(id, names[i], now, now);
              insertVersion.run(id, ciphertext, wrappedKey, now, 'bench');
            });
          })
          .immediate(),
      );
      const revealed: string[] = [];
      const revealMs = await timed(() => {
        for (const id of ids) {
          const row = selectCurrent.get(id) as { current_version: number; type: SecretAddress['type']; manager_id: string; ciphertext: string; wrapped_key: string };
          const at = address(id, row.current_version, row.type, row.manager_id);
          const dataKey = open(masterKey, Buffer.from(row.wrapped_key, 'base64'), dataKeyAad(at));
          revealed.push(open(dataKey, Buffer.from(row.ciphertext, 'base64'), valueAad(at)).toString('utf8'));
        }
      });
      assertRoundTrip(values, revealed, 'baseline');
      return { createMs, revealMs };
    },
    close: () => db.close(),
  };
}

function nodeNoop(): Promise<number> {
  return timed(async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    children.add(child);
    await exited(child);
    children.delete(child);
  });
}

async function coldStart(dataDir: string): Promise<number> {
  const held: { server?: Server; client?: BridgeClient } = {};
  try {
    return await timed(async () => {
      held.server = await startServer(dataDir);
      held.client = await BridgeClient.connect(held.server.url);
      const status = await held.client.call('app.status', {});
      if (status.initialized || !status.delegatePublicKey) throw new Error('a fresh store should be uninitialized with a delegate key');
    });
  } finally {
    held.client?.close();
    if (held.server) await stop(held.server.child);
  }
}

const SCRYPT = { N: 2 ** 17, r: 8, p: 1 };
const scryptOnce = () => timed(() => scryptAsync(PASSPHRASE, randomBytes(16), 32, { ...SCRYPT, maxmem: 256 * SCRYPT.N * SCRYPT.r }));
const pbkdf2Once = () => timed(() => pbkdf2Async(PASSPHRASE, randomBytes(16), 600_000, 32, 'sha256'));

// ---------------------------------------------------------------- report

export interface Row {
  measure: string;
  stack: string;
  baseline: string;
  ratio: string;
  note: string;
}

const perSecond = (ms: number) => `${Math.round((SECRETS / ms) * 1000).toLocaleString('en-US')} /s`;
const millis = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

function printTable(rows: Row[]): void {
  const header: Row = { measure: 'measure', stack: 'stack', baseline: 'baseline', ratio: 'ratio', note: '' };
  const keys = ['measure', 'stack', 'baseline', 'ratio', 'note'] as const;
  const width = Object.fromEntries(keys.map((key) => [key, Math.max(...[header, ...rows].map((row) => row[key].length))])) as Record<(typeof keys)[number], number>;
  const line = (row: Row) => keys.map((key) => (key === 'stack' || key === 'baseline' || key === 'ratio' ? row[key].padStart(width[key]) : row[key].padEnd(width[key]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(keys.map((key) => '-'.repeat(width[key])).join('  ').trimEnd());
  rows.forEach((row) => console.log(line(row)));
}

/** Throughput through the whole stack, cold start, the KDF, and unlock to first list. */
async function benchStack(root: string): Promise<void> {
  const started = performance.now();
  const rows: Row[] = [];
  const verdicts: string[] = [];
  const throughputRatios: number[] = [];
  // Interleaved, so a slow spell on the machine lands on both sides of a ratio.
  const noop: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    noop.push(await nodeNoop());
    cold.push(await coldStart(join(root, `cold-${i}`)));
  }
  const scryptMs: number[] = [];
  const pbkdf2Ms: number[] = [];
  for (let i = 0; i < 3; i++) {
    scryptMs.push(await scryptOnce());
    pbkdf2Ms.push(await pbkdf2Once());
  }

  const server = await startServer(join(root, 'stack'));
  const client = await BridgeClient.connect(server.url);
  const baseline = baselineStore(join(root, 'baseline'));
  try {
    const { delegatePublicKey } = await client.call('app.status', {});
    await client.call('vault.create', { sealedPassphrase: await sealValues(delegatePublicKey!, sealBindings.vaultCreate(), [PASSPHRASE]) });

    const base = { create: [] as number[], reveal: [] as number[] };
    const stack = Object.fromEntries(BATCH_SIZES.map((size) => [size, { create: [] as number[], reveal: [] as number[] }]));
    for (let rep = 0; rep < 3; rep++) {
      const b = await baseline.run(`base-r${rep}`);
      base.create.push(b.createMs);
      base.reveal.push(b.revealMs);
      for (const size of BATCH_SIZES) {
        const s = await stackCreateReveal(client, delegatePublicKey!, `b${size}-r${rep}`, size);
        stack[size]!.create.push(s.createMs);
        stack[size]!.reveal.push(s.revealMs);
      }
    }
    for (const op of ['create', 'reveal'] as const) {
      const baseMs = median(base[op]);
      for (const size of BATCH_SIZES) {
        const stackMs = median(stack[size]![op]);
        const ratio = baseMs / stackMs;
        const met = ratio >= GOAL;
        throughputRatios.push(ratio);
        verdicts.push(`${op}/${size} ${ratio.toFixed(2)}${met ? '' : ' (missed)'}`);
        rows.push({
          measure: `${op} ${SECRETS.toLocaleString('en-US')} secrets, batch ${size}`,
          stack: perSecond(stackMs),
          baseline: perSecond(baseMs),
          ratio: `${ratio.toFixed(2)}`,
          note: `stack/baseline throughput; goal >= ${GOAL}: ${met ? 'met' : 'NOT met'}`,
        });
      }
    }

    const unlock: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      await client.call('vault.lock', {});
      // Lock ends the delegate, and the next one has a key of its own: the UI reads it from the status too.
      const { delegatePublicKey: unlockKey } = await client.call('app.status', {});
      unlock.push(
        await timed(async () => {
          await client.call('vault.unlock', { sealedPassphrase: await sealValues(unlockKey!, sealBindings.vaultUnlock(), [PASSPHRASE]) });
          const page = await client.call('secrets.list', { query: '', limit: 100, offset: 0 });
          if (page.items.length !== 100) throw new Error(`the first page holds ${page.items.length} secrets, expected 100`);
        }),
      );
      // More KDF samples next to the unlocks it is the baseline of, so drift over the run does not skew that ratio.
      scryptMs.push(await scryptOnce());
    }

    const kdf = median(scryptMs);
    const coldRatio = median(cold) / median(noop);
    const kdfRatio = kdf / median(pbkdf2Ms);
    const unlockRatio = median(unlock) / kdf;
    rows.push(
      { measure: 'cold start to first app.status', stack: millis(median(cold)), baseline: millis(median(noop)), ratio: `${coldRatio.toFixed(1)}x`, note: 'baseline: node -e 0, spawn to exit' },
      { measure: 'KDF: scrypt N=2^17 r=8 p=1', stack: millis(kdf), baseline: millis(median(pbkdf2Ms)), ratio: `${kdfRatio.toFixed(2)}x`, note: 'baseline: PBKDF2-SHA256, 600,000 iterations' },
      { measure: 'unlock + first list page', stack: millis(median(unlock)), baseline: millis(kdf), ratio: `${unlockRatio.toFixed(2)}x`, note: 'baseline: the scrypt derivation alone' },
    );
    verdicts.push(`cold start ${coldRatio.toFixed(1)}x node`, `scrypt ${kdfRatio.toFixed(2)}x PBKDF2`, `unlock ${unlockRatio.toFixed(2)}x KDF`);
  } finally {
    client.close();
    baseline.close();
    await stop(server.child);
  }

  console.log(`Strongroom benchmark: node ${process.version}, ${availableParallelism()} CPUs; medians (throughput and unlock of 3 runs, cold start of 5, scrypt of 6, PBKDF2 of 3)\n`);
  printTable(rows);
  const met = throughputRatios.filter((ratio) => ratio >= GOAL).length;
  console.log(
    `\nSummary: ${met}/${throughputRatios.length} throughput ratios meet the ${GOAL} goal [${verdicts.join('; ')}] in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** The secret list at 100,000 secrets (list-bench.ts). */
async function benchList(root: string): Promise<void> {
  const listStarted = performance.now();
  const list = await runListBench(join(root, 'list'), {
    async serve(dataDir) {
      const server = await startServer(dataDir);
      const listClient = await BridgeClient.connect(server.url);
      return {
        client: listClient,
        async stop() {
          listClient.close();
          await stop(server.child);
        },
      };
    },
    timed,
    median,
  });
  console.log(`\n${list.title}\n`);
  printTable(list.rows);
  console.log(`\n${list.notes.join('\n')}\nList benchmark in ${((performance.now() - listStarted) / 1000).toFixed(1)} s`);
}

/** Every keystroke of three queries at 100,000 and 1,000,000 secrets (search-bench.ts); SEARCH_BENCH_SIZES=100000 runs one size. */
async function benchSearch(root: string): Promise<void> {
  const sizes = (process.env.SEARCH_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
  for (const secrets of sizes) {
    const searchStarted = performance.now();
    const report: ListBenchReport = await runSearchBench(join(root, `search-${secrets}`), secrets, {
      async serve(dataDir) {
        const server = await startServer(dataDir);
        const searchClient = await BridgeClient.connect(server.url);
        return {
          client: searchClient,
          pid: server.child.pid!,
          async stop() {
            searchClient.close();
            await stop(server.child);
          },
        };
      },
      timed,
      median,
      samples: secrets > 100_000 ? 3 : 5,
    });
    console.log(`\n${report.title}\n`);
    printTable(report.rows);
    console.log(`\n${report.notes.join('\n')}\nSearch benchmark at ${secrets.toLocaleString('en-US')} in ${((performance.now() - searchStarted) / 1000).toFixed(1)} s`);
    rmSync(join(root, `search-${secrets}`), { recursive: true, force: true });
  }
}

/** KMS envelope encryption against the AWS KMS emulator. */
async function benchKms(): Promise<void> {
  const kms = await runKmsBench();
  console.log(`\nKMS envelope: ${kms.secrets.toLocaleString('en-US')} secrets against the AWS KMS emulator with ${kms.latencyMs} ms latency, concurrency ${kms.concurrency}\n`);
  const kmsRow = (measure: string, phase: { kmsCalls: number; wallMs: number; lowerBoundMs: number; ratio: number }): Row => ({
    measure,
    stack: `${millis(phase.wallMs)}, ${phase.kmsCalls} KMS calls`,
    baseline: `bound ${millis(phase.lowerBoundMs)}`,
    ratio: `${phase.ratio.toFixed(2)}x`,
    note: 'baseline: max(N·k/R, ⌈N/C⌉·k·L)',
  });
  printTable([
    kmsRow('create, one KMS call per data key', kms.direct.create),
    kmsRow('reveal, one KMS call per data key', kms.direct.reveal),
    kmsRow('create, intermediate keys + cache', kms.intermediate.create),
    kmsRow('reveal, intermediate keys + cache', kms.intermediate.reveal),
  ]);
  console.log(`\nIntermediate keys make ${kms.revealCallReduction.toFixed(0)}x fewer KMS calls on reveal (goal: at least 10x).`);
}

/** Masking a log line against the tracked secret forms. */
async function benchSanitizer(): Promise<void> {
  const sanitizer = runSanitizerBench();
  console.log(`\nSanitizer: one ${sanitizer.lineChars}-character log line, ${sanitizer.forms.toLocaleString('en-US')} tracked forms (the cap)\n`);
  printTable([
    {
      measure: 'mask one log line (indexed)',
      stack: `${sanitizer.maskUs.toFixed(1)} µs`,
      baseline: `${sanitizer.previousScanUs.toFixed(0)} µs`,
      ratio: `${(sanitizer.maskUs / sanitizer.previousScanUs).toFixed(4)}x`,
      note: 'baseline: one includes() per form, longest first (the previous sanitizer)',
    },
    {
      measure: 'mask one log line (indexed)',
      stack: `${sanitizer.maskUs.toFixed(1)} µs`,
      baseline: `${sanitizer.stringifyUs.toFixed(1)} µs`,
      ratio: `${(sanitizer.maskUs / sanitizer.stringifyUs).toFixed(2)}x`,
      note: 'baseline: JSON.stringify of the same record',
    },
  ]);
}

/** Migration between two AWS Secrets Manager emulators. */
async function benchMigration(): Promise<void> {
  const migration = await runMigrationBench({ secrets: Number(process.env.MIGRATION_BENCH_SECRETS ?? 10_000) });
  console.log(
    `\nMigration: ${migration.secrets.toLocaleString('en-US')} secrets between two AWS Secrets Manager emulators (${migration.emulatorsInMain ? 'in main’s process: MIGRATION_BENCH_EMULATORS=in-main' : 'each in a process of its own'}) with ${migration.latencyMs} ms latency, concurrency ${migration.concurrency}, k = ${migration.callsPerSecret} calls per secret (${migration.callsPerManager.source.toLocaleString('en-US')} to the source, ${migration.callsPerManager.target.toLocaleString('en-US')} to the target)`,
  );
  console.log(
    `C, as measured here: provider requests in flight at once per manager (at most ${migration.concurrency} to the source and ${migration.concurrency} to the target at any moment, held by the delegate; the most the emulators saw in flight at once: source ${migration.mostInFlight.source}, target ${migration.mostInFlight.target}), not secrets in flight; N·k·L/C is a lower bound only when every call waits for one of C slots in all, so the busiest manager's bound, its calls·L/C, is printed too\n`,
  );
  const floorRatio = migration.callsAlone.wallMs / migration.lowerBoundMs;
  const busy = (perCallMs: number | null) => (perCallMs === null ? 'n/a' : `${Math.round((perCallMs * migration.callsAlone.calls * 100) / migration.wallMs)}%`);
  printTable([
    {
      measure: `migrate, C = ${migration.concurrency}`,
      stack: millis(migration.wallMs),
      baseline: `bound ${millis(migration.lowerBoundMs)}`,
      ratio: `${migration.ratio.toFixed(2)}x`,
      note: `baseline: N·k·L/C (goal: at most 1.10x); the bare SDK's floor in this run: ${floorRatio.toFixed(2)}x (two rows down)`,
    },
    {
      measure: `migrate, C = ${migration.concurrency}, against the busiest manager`,
      stack: millis(migration.wallMs),
      baseline: `bound ${millis(migration.busiestBoundMs)}`,
      ratio: `${(migration.wallMs / migration.busiestBoundMs).toFixed(2)}x`,
      note: `baseline: the busiest manager's calls·L/C (${Math.max(migration.callsPerManager.source, migration.callsPerManager.target).toLocaleString('en-US')} calls), the bound when C counts requests in flight per manager`,
    },
    {
      measure: `the bare SDK's floor: ${migration.callsAlone.calls.toLocaleString('en-US')} calls, C = ${migration.concurrency}`,
      stack: millis(migration.callsAlone.wallMs),
      baseline: `bound ${millis(migration.lowerBoundMs)}`,
      ratio: `${floorRatio.toFixed(2)}x`,
      note: `as many calls to each emulator as the run made (reads), straight from the SDK, no engine, C at a time to each: the part of the ratio that is this machine now (load ${migration.load.average} on ${migration.load.cores} cores)`,
    },
    {
      measure: `migrate against the bare SDK's floor`,
      stack: millis(migration.wallMs),
      baseline: millis(migration.callsAlone.wallMs),
      ratio: `${(migration.wallMs / migration.callsAlone.wallMs).toFixed(2)}x`,
      note: 'the part of the ratio that is Strongroom (engine, delegate, main)',
    },
    {
      measure: 'migrate, C = 1 (one request at a time per manager)',
      stack: millis(migration.sequential.scaledToAllMs),
      baseline: millis(migration.wallMs),
      ratio: `${(migration.sequential.scaledToAllMs / migration.wallMs).toFixed(1)}x`,
      note: `measured on ${migration.sequential.sample} of the ${migration.secrets} secrets (${millis(migration.sequential.wallMs)}) and extrapolated linearly to N, not run on all; baseline: C = ${migration.concurrency}. One secret at a time, its ${migration.callsPerSecret} calls one after another as the tools admins come from do, takes at least N·k·L = ${millis(migration.secrets * migration.callsPerSecret * migration.latencyMs)}`,
    },
    {
      measure: 'CPU per provider call, C = ' + migration.concurrency,
      stack: migration.cpuPerCall.delegateMs === null ? 'delegate n/a' : `delegate ${migration.cpuPerCall.delegateMs.toFixed(3)} ms`,
      baseline: `alone ${migration.cpuPerCall.aloneMs.toFixed(3)} ms`,
      ratio: `${((migration.cpuPerCall.delegateMs ?? 0) / migration.cpuPerCall.aloneMs).toFixed(2)}x`,
      // One process on one core keeps up with C calls in flight only below L·1.10/C of CPU per call.
      note: `main ${migration.cpuPerCall.mainMs.toFixed(3)} ms, the emulators ${migration.emulatorsInMain ? 'counted in main’s' : `${migration.cpuPerCall.emulatorsMs?.toFixed(3) ?? 'n/a'} ms`}; alone: the SDK client alone in this process${migration.emulatorsInMain ? ', with one emulator' : ''}; busy share of the run (CPU ÷ wall): ${busy(migration.cpuPerCall.delegateMs)} the delegate, ${busy(migration.cpuPerCall.mainMs)} main (a busier event loop makes each call wait longer)`,
    },
    {
      measure: 'CPU per call alone, the delegate\'s provider',
      stack: `${migration.cpuPerCall.providerAloneMs.toFixed(3)} ms`,
      baseline: `${migration.cpuPerCall.aloneMs.toFixed(3)} ms`,
      ratio: `${(migration.cpuPerCall.providerAloneMs / migration.cpuPerCall.aloneMs).toFixed(2)}x`,
      note: `the same reads through the AWS Secrets Manager provider as the delegate builds it; baseline: a default SDK client (both in this process${migration.emulatorsInMain ? ', with the emulator' : ''})`,
    },
  ]);
  console.log(`Requests main sent the delegate during the run: ${migration.delegateRequestsPerSecret} per secret`);
  printMigrationLatency(migration);
  if (migration.delegateProfile) {
    console.log(`The delegate's CPU profile of the C = ${migration.concurrency} run: ${migration.delegateProfile}`);
  }
}

/** Where the migration's time went: per provider call at each end, the event loops, the delegate requests. */
function printMigrationLatency(migration: Awaited<ReturnType<typeof runMigrationBench>>): void {
  const { latency, concurrency, wallMs, latencyMs } = migration;
  const copyMs = wallMs - latency.planMs;
  const line = (what: string, spread: Spread) =>
    `  ${what.padEnd(50)} mean ${spread.meanMs.toFixed(2).padStart(7)} ms  p50 ${spread.p50Ms.toFixed(2).padStart(7)}  p99 ${spread.p99Ms.toFixed(2).padStart(7)}  max ${spread.maxMs.toFixed(1).padStart(7)}  (${spread.count.toLocaleString('en-US')})`;
  console.log(
    `Where the time went${migration.emulatorsInMain ? '' : ' (the emulators stand in for clouds whose CPU is not on this machine, so they do not share main’s process)'}: planning (migration.start; the run probes the names) ${millis(latency.planMs)}, copying ${millis(copyMs)}: ` +
      `${((copyMs * concurrency) / Math.max(1, migration.callsPerManager.target)).toFixed(1)} ms per target call per slot; each provider call is ${latencyMs} ms of injected latency plus:`,
  );
  console.log(line('a provider call, seen by the delegate', latency.delegate.exchanges));
  if (migration.emulatorsInMain) {
    console.log(line('a provider call, at either emulator', latency.source.exchanges));
    console.log(line('event-loop delay, the delegate', latency.delegate.loopDelay));
    console.log(line('event-loop delay, main and the emulators', latency.mainLoopDelay));
  } else {
    console.log(line('a provider call, at the source emulator', latency.source.exchanges));
    console.log(line('a provider call, at the target emulator', latency.target.exchanges));
    console.log(line('event-loop delay, the delegate', latency.delegate.loopDelay));
    console.log(line('event-loop delay, main', latency.mainLoopDelay));
    console.log(line('event-loop delay, the source emulator', latency.source.loopDelay));
    console.log(line('event-loop delay, the target emulator', latency.target.loopDelay));
  }
  for (const [op, spread] of Object.entries(latency.delegateRequests)) {
    console.log(line(`${op}: main sent → answer received`, spread));
    const handled = latency.delegateHandling[op];
    if (handled) console.log(line(`${op}: delegate received → answer sent`, handled));
  }
  printCopySplit(migration);
}

/**
 * A target slot's time per call, split by where it went, from the means above (approximate): the injected latency;
 * the target emulator's own time over it; the delegate's side of a call (request sent → answer taken, less the
 * emulators' time); and the rest, when the slot had no call to make (main or the delegate did not hand it one).
 */
function printCopySplit({ latency, concurrency, wallMs, latencyMs, emulatorsInMain, callsPerManager }: Awaited<ReturnType<typeof runMigrationBench>>): void {
  if (callsPerManager.target === 0) return;
  const perCall = ((wallMs - latency.planMs) * concurrency) / callsPerManager.target;
  const atTarget = emulatorsInMain ? latency.source.exchanges.meanMs : latency.target.exchanges.meanMs;
  const atEmulators = emulatorsInMain
    ? latency.source.exchanges.meanMs
    : (latency.source.exchanges.meanMs * latency.source.exchanges.count + latency.target.exchanges.meanMs * latency.target.exchanges.count) /
      Math.max(1, latency.source.exchanges.count + latency.target.exchanges.count);
  const delegateSide = latency.delegate.exchanges.meanMs - atEmulators;
  const parts: [string, number][] = [
    ['injected latency', latencyMs],
    ['the target emulator over it', atTarget - latencyMs],
    ['the delegate’s side of a call (sent → answer taken, less the emulator’s time)', delegateSide],
    ['the slot without a call (main or the delegate had none ready)', perCall - atTarget - delegateSide],
  ];
  console.log(`A target slot per call, ${perCall.toFixed(1)} ms (approximate: means over all calls): ${parts.map(([what, ms]) => `${what} ${ms.toFixed(1)} ms`).join('; ')}`);
}

/** The delegate's SSH and WinRM testers against local servers. */
async function benchConnections(): Promise<void> {
  const ssh = await benchSshPassword();
  const winrm = await benchWinrmNtlm();
  console.log('\nConnection tests against local servers\n');
  printTable([
    {
      measure: 'SSH password test (DNS, TCP, host key, auth probe, login, whoami)',
      stack: millis(ssh.oursMedianMs),
      baseline: millis(ssh.sshMedianMs),
      ratio: `${ssh.ratio.toFixed(2)}x`,
      note: `baseline: ssh -o BatchMode=yes with a key, whoami; median of ${ssh.iterations}`,
    },
    {
      measure: 'WinRM NTLM test (Identify, NTLM with sealing, shell, hostname + whoami)',
      stack: millis(winrm.oursMedianMs),
      baseline: millis(winrm.pywinrmMedianMs),
      ratio: `${winrm.ratio.toFixed(2)}x`,
      note: `baseline: pywinrm run_cmd against the same emulator; median of ${winrm.iterations}`,
    },
  ]);
}

/** CLI commands as a script runs them, through a session and without one (session-bench.ts). */
async function benchSession(): Promise<void> {
  const session = await runSessionBench();
  const through = session.revealThroughSession;
  const without = session.revealWithoutSession;
  const ssh = session.sshThroughSession;
  const ratio = (figure: { oursMs: number; baselineMs: number }) => figure.oursMs / figure.baselineMs;
  const overKdfS = (without.oursMs - without.baselineMs) / 1000;
  console.log(`\nCLI commands, each spawned as a script would; medians of ${session.runs} runs, interleaved with their baseline\n`);
  printTable([
    {
      measure: 'secret reveal through a session',
      stack: millis(through.oursMs),
      baseline: millis(through.baselineMs),
      ratio: `${ratio(through).toFixed(2)}x`,
      note: `baseline: node -e 0; goal <= 2.0x: ${ratio(through) <= 2 ? 'met' : 'NOT met'}`,
    },
    {
      measure: 'secret reveal without a session',
      stack: millis(without.oursMs),
      baseline: millis(without.baselineMs),
      ratio: `${ratio(without).toFixed(2)}x`,
      note: `baseline: the KDF alone (scrypt, the store's parameters); KDF + ${overKdfS.toFixed(2)} s, goal <= KDF + 0.3 s: ${overKdfS <= 0.3 ? 'met' : 'NOT met'}`,
    },
    {
      measure: '  the floor of a second process',
      stack: millis(without.floorMs),
      baseline: millis(without.baselineMs),
      ratio: `${(without.floorMs / without.baselineMs).toFixed(2)}x`,
      note: `Node starting a second Node that runs the KDF, nothing of ours: KDF + ${((without.floorMs - without.baselineMs) / 1000).toFixed(2)} s; the reveal is ${((without.oursMs - without.floorMs) / 1000).toFixed(2)} s above it`,
    },
    {
      measure: 'test ssh through a session',
      stack: millis(ssh.oursMs),
      baseline: millis(ssh.baselineMs),
      ratio: `${ratio(ssh).toFixed(2)}x`,
      note: `baseline: ssh -o BatchMode=yes with a key, true, same sshd; goal <= 1.5x: ${ratio(ssh) <= 1.5 ? 'met' : 'NOT met'}`,
    },
  ]);
}

const sectionRuns: Record<(typeof SECTIONS)[number], (root: string) => Promise<void>> = {
  stack: benchStack,
  list: benchList,
  search: benchSearch,
  kms: benchKms,
  sanitizer: benchSanitizer,
  migration: benchMigration,
  connections: benchConnections,
  session: benchSession,
};

async function main(): Promise<void> {
  const sections = selectedSections();
  if (!existsSync(SERVE)) throw new Error(`${SERVE} is missing: run "npm run bench", which builds dist/ first.`);
  const root = mkdtempSync(join(tmpdir(), 'strongroom-bench-'));
  try {
    for (const name of SECTIONS) if (sections.has(name)) await sectionRuns[name](root);
  } finally {
    await Promise.all([...children].map(stop));
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
