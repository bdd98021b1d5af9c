/**
 * Migration benchmark: N secrets moved between two emulated secret stores
 * (two AWS Secrets Manager emulators) with L ms of latency on every request,
 * through the real core and delegate. The wall time is compared with the lower
 * bound N·k·L/C, where k is the provider calls per secret the run made
 * (counted by the emulators: the name probe, the copy's read and
 * write, the read-back that verifies it; sizes need no reads between two
 * stores of the same limit) and C the
 * concurrency: provider requests in flight at once per manager (docs/migration.md), so the source's calls
 * and the target's overlap, and the busiest manager's calls·L/C is the bound that definition allows; both are
 * printed. The sequential run (C = 1), the way tools that move one secret
 * at a time work, is measured on a sample and scaled to N.
 *
 * Each emulator runs in a process of its own (aws-emulator-process.ts): they stand in for clouds whose CPU is
 * not on this machine, and sharing main's event loop (its SQLite commits block it) made every call wait for
 * main and main for every call. They still run on this machine, so the same number of provider calls is also
 * made straight from here with the same SDK, C at a time per emulator as the run's were, with no engine at all:
 * the floor this machine reaches right now (far above the bound when the machine is loaded), printed with its
 * load average.
 *
 * Wall time on a shared machine is noise, so the CPU the run cost is printed
 * too, per provider call: the delegate's, main's and the emulators' (from /proc, Linux only), beside this
 * process's CPU per call when the same calls are made alone (the SDK client only), with a
 * default SDK client and with the delegate's provider, and the requests main
 * sent the delegate per secret. Where the time of a call goes is measured at both ends (latency-probes.ts).
 * MIGRATION_BENCH_CPU_PROF=<dir> leaves there the delegate's CPU profile of the C = 32 run, taken through
 * its inspector (delegate-inspector.ts: the product's spawner with a bench-only Node option).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAppCore, type AppCore } from '../../src-main/core/app-core.js';
import { sealBindings, sealValues, type Channel, type ChannelRequest, type ChannelResult, type MigrationRun } from '../../src-shared/contract.js';
import { startAwsEmulatorInThisProcess, startRemoteAwsEmulator, type RemoteAwsEmulator } from './remote-aws-emulator.js';
import * as awsSecretsManager from '../../src-delegate/providers/aws-secrets-manager.js';
import { freePort } from '../fixtures/process-tools.js';
import { installDelegateRequestProbe, installLatencyProbe, readDelegateRequestProbe, readLatencyProbe, spread, type LatencyReading, type Spread } from './latency-probes.js';
import { attachInspector, inspectedDelegate, type DelegateInspector } from './delegate-inspector.js';

export interface MigrationBenchOptions {
  secrets?: number;
  latencyMs?: number;
  concurrency?: number;
  /** Secrets moved one at a time (C = 1) for the sequential figure. */
  sequentialSample?: number;
}

export interface MigrationBenchResult {
  secrets: number;
  latencyMs: number;
  concurrency: number;
  callsPerSecret: number;
  /** Provider calls the run made to each manager. */
  callsPerManager: { source: number; target: number };
  /** The most requests each emulator had in flight at once during the run: C as the clouds saw it. */
  mostInFlight: { source: number; target: number };
  wallMs: number;
  lowerBoundMs: number;
  ratio: number;
  /** The busiest manager's calls·L/C: the bound when C counts requests in flight per manager. */
  busiestBoundMs: number;
  sequential: { sample: number; wallMs: number; scaledToAllMs: number };
  /** The run's provider calls made straight from the benchmark, C at a time per emulator, without the engine. */
  callsAlone: { calls: number; wallMs: number };
  /** One-minute load average and cores when the run ended. */
  load: { average: number; cores: number };
  /** CPU milliseconds per provider call of the run (C = concurrency), and of the same calls made alone (the client's side only). */
  cpuPerCall: { delegateMs: number | null; mainMs: number; emulatorsMs: number | null; aloneMs: number; providerAloneMs: number };
  /** Requests main sent the delegate during the run, per secret moved. */
  delegateRequestsPerSecret: number;
  /**
   * Where the time of the C = concurrency run went: how long migration.start took (planning, the target's names
   * probed), each provider call as the delegate saw it (request sent → response) and as each emulator did
   * (arrived → answered), the event-loop delays of the delegate, the emulators and main, and the delegate
   * requests main made, by operation, as main timed them (sent → answered) and as the delegate did (arrived → answer sent).
   */
  latency: {
    planMs: number;
    delegate: LatencyReading;
    source: LatencyReading;
    target: LatencyReading;
    mainLoopDelay: Spread;
    delegateRequests: Record<string, Spread>;
    delegateHandling: Record<string, Spread>;
  };
  /** The emulators ran in main's process (MIGRATION_BENCH_EMULATORS=in-main): each probe reading is theirs and main's together. */
  emulatorsInMain: boolean;
  /** Where the delegate's CPU profile of the C = concurrency run was written, when MIGRATION_BENCH_CPU_PROF named a folder. */
  delegateProfile: string | null;
}

/** CPU milliseconds (user + system) a process has used so far, from /proc; null where there is no /proc. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  // The command name (field 2) may hold spaces: the fields after it are counted from its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond();
}

let ticks: number | null = null;
function clockTicksPerSecond(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks;
}

/** This process's CPU milliseconds (user + system) so far. */
const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Makes `total` reads of the given secrets, `concurrency` at a time. */
async function concurrentReads(secretIds: string[], total: number, concurrency: number, read: (secretId: string) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      await read(secretIds[i % secretIds.length]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

/**
 * Makes GetSecretValue calls with a default SDK client, `total` of them to each emulator, `concurrency` at a time to
 * each, all emulators at once (as the run's C per manager allows): what the calls cost without Strongroom.
 */
async function callsAlone(work: { emulator: RemoteAwsEmulator; total: number }[], secretIds: string[], concurrency: number): Promise<number> {
  const clients = work.map(({ emulator }) => new SecretsManagerClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { ...emulator.credentials } }));
  const started = performance.now();
  try {
    await Promise.all(
      work.map(({ total }, i) => concurrentReads(secretIds, total, concurrency, (secretId) => clients[i]!.send(new GetSecretValueCommand({ SecretId: secretId })))),
    );
    return performance.now() - started;
  } finally {
    for (const client of clients) client.destroy();
  }
}

/** The same reads through the delegate's AWS Secrets Manager provider (its SDK client as the delegate configures it), in this process. */
async function providerCallsAlone(emulator: RemoteAwsEmulator, secretIds: string[], total: number, concurrency: number): Promise<number> {
  const provider = awsSecretsManager.create({ region: emulator.region, endpoint: emulator.endpoint, credentials: { ...emulator.credentials }, namePrefix: 'bench/' });
  return concurrentReads(secretIds, total, concurrency, (secretId) => provider.get(secretId));
}

const DELEGATE = join(dirname(fileURLToPath(import.meta.url)), '..', 'delegate', 'main.js');

async function call<C extends Channel>(core: AppCore, channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
  const result = await core.handle(channel, request);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelResult<C>;
}

/**
 * Runs a migration to its end; `planned` is called when migration.start has planned it (the preview, name probes
 * included). The run's own last progress event ends the wait, so the wall time carries no polling interval.
 */
async function migrateAndWait(core: AppCore, request: ChannelRequest<'migration.start'>, planned: () => void = () => undefined): Promise<MigrationRun> {
  let runId: string | null = null;
  let wake = () => undefined as void;
  const unsubscribe = core.onEvent((event) => {
    if (event.type === 'migration.progress' && event.run.id === runId && (event.run.state !== 'running' || event.run.interrupted)) wake();
  });
  try {
    let run = await call(core, 'migration.start', request);
    runId = run.id;
    planned();
    while (run.state === 'running' && !run.interrupted) {
      // The poll is only a safety net for an event missed while the status was being read.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      run = await call(core, 'migration.status', { runId: run.id });
    }
    if (run.state !== 'finished' || run.failed > 0) throw new Error(`the benchmark migration did not finish cleanly: ${JSON.stringify(run)}`);
    return run;
  } finally {
    unsubscribe();
  }
}

const calls = async (emulators: RemoteAwsEmulator[]) => (await Promise.all(emulators.map((emulator) => emulator.calls('secretsmanager:*')))).reduce((sum, n) => sum + n, 0);
const emulatorsCpuMs = (emulators: RemoteAwsEmulator[]) => emulators.reduce((sum, emulator) => sum + (processCpuMs(emulator.pid) ?? Number.NaN), 0);

export async function runMigrationBench(options: MigrationBenchOptions = {}): Promise<MigrationBenchResult> {
  const count = options.secrets ?? 10_000;
  const latencyMs = options.latencyMs ?? 20;
  const concurrency = options.concurrency ?? 32;
  const sample = Math.min(options.sequentialSample ?? 200, count);
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-migration-bench-'));
  // MIGRATION_BENCH_EMULATORS=in-main puts them back beside main, to compare the two placements.
  const emulatorsInMain = process.env.MIGRATION_BENCH_EMULATORS === 'in-main';
  const startEmulator = () => (emulatorsInMain ? startAwsEmulatorInThisProcess() : startRemoteAwsEmulator());
  const emulators = await Promise.all([startEmulator(), startEmulator()]);
  const [source, target] = emulators as [RemoteAwsEmulator, RemoteAwsEmulator];
  const profileDir = process.env.MIGRATION_BENCH_CPU_PROF ?? null;
  const inspectorPort = await freePort();
  let delegateRequests = 0;
  // Each delegate request's time as main sees it, by operation: sent → answer received.
  const sentAt = new Map<number, { op: string; at: bigint }>();
  const requestTimes = new Map<string, RecordableHistogram>();
  const core = await createAppCore({
    dataDir: dir,
    actor: 'desktop',
    delegateEntry: DELEGATE,
    onDelegateTraffic: (direction, message) => {
      const { id, request } = message as { id?: number; request?: { op: string } };
      if (direction === 'to-delegate') {
        delegateRequests++;
        if (id !== undefined && request) sentAt.set(id, { op: request.op, at: process.hrtime.bigint() });
        return;
      }
      const sent = id === undefined ? undefined : sentAt.get(id);
      if (!sent) return;
      sentAt.delete(id!);
      let histogram = requestTimes.get(sent.op);
      if (!histogram) requestTimes.set(sent.op, (histogram = createHistogram()));
      histogram.record(Math.max(1, Number(process.hrtime.bigint() - sent.at)));
    },
    spawnDelegate: inspectedDelegate(inspectorPort),
  });
  let inspector: DelegateInspector | null = null;
  let closed = false;
  try {
    inspector = await attachInspector(inspectorPort);
    const publicKey = async () => (await call(core, 'app.status', {})).delegatePublicKey!;
    await call(core, 'vault.create', { sealedPassphrase: await sealValues(await publicKey(), sealBindings.vaultCreate(), ['benchmark passphrase']) });
    const addStore = async (name: string, emulator: RemoteAwsEmulator) =>
      call(core, 'managers.add', {
        name,
        kind: 'aws-secrets-manager',
        readOnly: false,
        sealedConfig: await sealValues(await publicKey(), sealBindings.managerConfig(name), [
          JSON.stringify({ region: emulator.region, endpoint: emulator.endpoint, credentials: { ...emulator.credentials }, namePrefix: 'bench/' }),
        ]),
      });
    const from = await addStore('source store', source);
    const to = await addStore('target store', target);

    // Fill the source without latency: the benchmark times the migration, not the setup.
    const fill = async (prefix: string, n: number) => {
      const ids: string[] = [];
      for (let start = 0; start < n; start += 1000) {
        const names = Array.from({ length: Math.min(1000, n - start) }, (_, i) => `${prefix}-${start + i}`);
        const values = names.map(() => randomBytes(24).toString('base64url'));
        const sealedValues = await sealValues(await publicKey(), sealBindings.secretCreate(names), values);
        const { items } = await call(core, 'secrets.createMany', { items: names.map((name) => ({ name })), sealedValues, managerId: from.id });
        ids.push(...items.map((item) => item.id));
      }
      return ids;
    };
    const bulk = await fill('bulk', count);
    const sequentialIds = await fill('one-at-a-time', sample);
    await Promise.all(emulators.map((emulator) => emulator.setLatency(latencyMs)));
    // The emulators publish no quota; the run is bounded by latency and concurrency alone.
    const ratePerSecond = 1_000_000;

    const before = await calls(emulators);
    const [sourceBefore, targetBefore] = [await calls([source]), await calls([target])];
    await Promise.all(emulators.map((emulator) => emulator.mostInFlight('secretsmanager', true)));
    const delegateCpuBefore = processCpuMs(core.delegatePid);
    // Emulators in main's process count in main's CPU.
    const emulatorsCpuBefore = emulatorsInMain ? Number.NaN : emulatorsCpuMs(emulators);
    const ownCpuBefore = ownCpuMs();
    const requestsBefore = delegateRequests;
    if (profileDir) await inspector.startProfile();
    if (!emulatorsInMain) installLatencyProbe('loop');
    await Promise.all(emulators.map((emulator) => emulator.installProbe()));
    await inspector.evaluate(`(${installLatencyProbe.toString()})('client')`);
    await inspector.evaluate(`(${installDelegateRequestProbe.toString()})()`);
    requestTimes.clear();
    let started = performance.now();
    let plannedAt = started;
    await migrateAndWait(core, { sourceManagerId: from.id, targetManagerId: to.id, secretIds: bulk, concurrency, ratePerSecond }, () => (plannedAt = performance.now()));
    const wallMs = performance.now() - started;
    const latency = {
      planMs: Math.round(plannedAt - started),
      delegate: await inspector.evaluate<LatencyReading>(`(${readLatencyProbe.toString()})(${spread.toString()})`),
      source: await source.readProbe(),
      target: await target.readProbe(),
      mainLoopDelay: readLatencyProbe().loopDelay,
      delegateRequests: Object.fromEntries([...requestTimes].map(([op, histogram]) => [op, spread(histogram)])),
      delegateHandling: await inspector.evaluate<Record<string, Spread>>(`(${readDelegateRequestProbe.toString()})(${spread.toString()})`),
    };
    const delegateProfile = profileDir ? join(profileDir, `delegate-${Date.now()}.cpuprofile`) : null;
    if (delegateProfile) writeFileSync(delegateProfile, JSON.stringify(await inspector.stopProfile()));
    const ownCpu = ownCpuMs() - ownCpuBefore;
    const emulatorsCpu = emulatorsInMain ? Number.NaN : emulatorsCpuMs(emulators) - emulatorsCpuBefore;
    const runRequests = delegateRequests - requestsBefore;
    const delegateCpuAfter = processCpuMs(core.delegatePid);
    const delegateCpu = delegateCpuBefore !== null && delegateCpuAfter !== null ? delegateCpuAfter - delegateCpuBefore : null;
    const callsPerSecret = ((await calls(emulators)) - before) / count;
    const callsPerManager = { source: (await calls([source])) - sourceBefore, target: (await calls([target])) - targetBefore };
    const mostInFlight = { source: await source.mostInFlight('secretsmanager'), target: await target.mostInFlight('secretsmanager') };
    const lowerBoundMs = (count * callsPerSecret * latencyMs) / concurrency;
    const busiestBoundMs = (Math.max(callsPerManager.source, callsPerManager.target) * latencyMs) / concurrency;
    const runCalls = Math.round(count * callsPerSecret);
    // The names are the same in both stores (the run moved them without renaming or deleting the source copies).
    const movedIds = (await call(core, 'secrets.list', { managerId: to.id, limit: 500 })).items.map((item) => `bench/${item.name}`);
    let cpuBefore = ownCpuMs();
    const aloneMs = await callsAlone(
      [
        { emulator: source, total: callsPerManager.source },
        { emulator: target, total: callsPerManager.target },
      ],
      movedIds,
      concurrency,
    );
    const aloneCpu = ownCpuMs() - cpuBefore;
    cpuBefore = ownCpuMs();
    await providerCallsAlone(target, movedIds, runCalls, concurrency);
    const providerAloneCpu = ownCpuMs() - cpuBefore;

    started = performance.now();
    await migrateAndWait(core, { sourceManagerId: from.id, targetManagerId: to.id, secretIds: sequentialIds, concurrency: 1, ratePerSecond });
    const sequentialMs = performance.now() - started;
    await core.close();
    closed = true;
    const perCall = (ms: number) => Math.round((ms / runCalls) * 1000) / 1000;

    return {
      secrets: count,
      latencyMs,
      concurrency,
      callsPerSecret: Math.round(callsPerSecret * 100) / 100,
      callsPerManager,
      mostInFlight,
      wallMs: Math.round(wallMs),
      lowerBoundMs: Math.round(lowerBoundMs),
      ratio: Math.round((wallMs / lowerBoundMs) * 100) / 100,
      busiestBoundMs: Math.round(busiestBoundMs),
      sequential: { sample, wallMs: Math.round(sequentialMs), scaledToAllMs: Math.round((sequentialMs / sample) * count) },
      callsAlone: { calls: runCalls, wallMs: Math.round(aloneMs) },
      load: { average: Math.round(loadavg()[0]! * 10) / 10, cores: cpus().length },
      cpuPerCall: {
        delegateMs: delegateCpu === null ? null : perCall(delegateCpu),
        mainMs: perCall(ownCpu),
        emulatorsMs: Number.isNaN(emulatorsCpu) ? null : perCall(emulatorsCpu),
        aloneMs: perCall(aloneCpu),
        providerAloneMs: perCall(providerAloneCpu),
      },
      delegateRequestsPerSecret: Math.round((runRequests / count) * 100) / 100,
      delegateProfile,
      emulatorsInMain,
      latency,
    };
  } finally {
    inspector?.close();
    if (!closed) await core.close();
    await Promise.allSettled(emulators.map((emulator) => emulator.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}
