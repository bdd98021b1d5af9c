/**
 * Benchmark: what a script pays per CLI command, through a session and
 * without one, each against a baseline measured in the same run, the two
 * sides interleaved so a busy spell on the machine lands on both:
 *
 * - `secret reveal` through a session against `node -e 0` (goal ≤ 2.0×);
 * - `secret reveal` without a session (passphrase file: its own core,
 *   delegate and key derivation) against the KDF alone, the store's scrypt
 *   parameters in this process (goal ≤ KDF + 0.3 s);
 * - `test ssh` through a session against `ssh -o BatchMode=yes … true` with a
 *   key, to the same real sshd (goal ≤ 1.5×).
 *
 * Every sample spawns the built CLI exactly as a script would (bin/strongroom.js).
 */
import { spawn } from 'node:child_process';
import { randomBytes, scrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { DEFAULT_KDF } from '../../src-delegate/keyring.js';
import { generateKey, startSshd } from '../fixtures/sshd.js';
import { median } from './median.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'strongroom.js');
const PASSPHRASE = 'session bench: a long and unguessable passphrase 7Qx2';
const VALUE = randomBytes(24).toString('base64url');
const kdfOptions = { N: DEFAULT_KDF.N, r: DEFAULT_KDF.r, p: DEFAULT_KDF.p, maxmem: 256 * DEFAULT_KDF.N * DEFAULT_KDF.r + 16 * 1024 * 1024 };
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Spawn to exit, as a script waiting on the command sees it. */
function timedRun(command: string, args: string[], stdin = ''): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => undefined);
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
    child.stdin.end(stdin);
  });
}

function ok(exit: Exit, what: string): Exit {
  if (exit.status !== 0) throw new Error(`${what} exited ${exit.status}: ${exit.stderr.trim()}`);
  return exit;
}

export interface SessionBenchFigure {
  oursMs: number;
  baselineMs: number;
}

export interface SessionBenchResult {
  runs: number;
  revealThroughSession: SessionBenchFigure;
  /** With the floor of any design that derives the key in a second process (kdfInSecondProcess), measured in the same runs. */
  revealWithoutSession: SessionBenchFigure & { floorMs: number };
  sshThroughSession: SessionBenchFigure;
}

/** The median of each measure, taken in turn run after run so a busy spell on the machine lands on all of them. */
async function interleaved<K extends string>(runs: number, measures: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const names = Object.keys(measures) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let i = 0; i < runs; i++) for (const name of names) samples.get(name)!.push(await measures[name]());
  return Object.fromEntries(names.map((name) => [name, median(samples.get(name)!)])) as Record<K, number>;
}

/**
 * The least any CLI pays that keeps the key derivation out of its own process, as ours must: Node starts,
 * starts a second Node over an IPC channel, which says ready, is sent the salt, runs the KDF and answers;
 * then both exit. No store, no sealing, no modules of ours.
 */
function kdfInSecondProcess(): Promise<Exit> {
  const child = `process.once('message', (salt) => require('node:crypto').scrypt('passphrase', Buffer.from(salt, 'base64'), 32, ${JSON.stringify(kdfOptions)}, () => process.send('done', () => process.disconnect()))); process.send('ready');`;
  const parent = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }); c.on('message', (m) => m === 'ready' && c.send(require('node:crypto').randomBytes(16).toString('base64')));`;
  return timedRun(process.execPath, ['-e', parent]);
}

export async function runSessionBench(runs = 20): Promise<SessionBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'strongroom-session-bench-'));
  const dataDir = join(root, 'store');
  const passphraseFile = join(root, 'passphrase');
  writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  const cli = (args: string[], stdin = '') => timedRun(process.execPath, [CLI, '--data-dir', dataDir, ...args], stdin);
  const withPassphrase = (args: string[], stdin = '') => cli(['--passphrase-file', passphraseFile, ...args], stdin);
  try {
    ok(await withPassphrase(['init']), 'init');
    ok(await withPassphrase(['secret', 'create', '--name', 'bench_value'], VALUE), 'secret create');
    const reveal = (exit: Exit) => {
      if (ok(exit, 'secret reveal').stdout !== VALUE) throw new Error('secret reveal printed the wrong value');
      return exit.ms;
    };

    // Without a session first: the KDF alone against a reveal that derives the key itself.
    const kdfAlone = async () => {
      const started = performance.now();
      await scryptAsync(PASSPHRASE, randomBytes(16), 32, kdfOptions);
      return performance.now() - started;
    };
    const without = await interleaved(runs, {
      baseline: kdfAlone,
      floor: async () => ok(await kdfInSecondProcess(), 'the KDF in a second process').ms,
      ours: async () => reveal(await withPassphrase(['secret', 'reveal', 'bench_value'])),
    });
    const revealWithoutSession = { oursMs: without.ours, baselineMs: without.baseline, floorMs: without.floor };

    ok(await withPassphrase(['unlock', '--timeout', '1h']), 'unlock');
    try {
      const nodeNoop = async () => ok(await timedRun(process.execPath, ['-e', '0']), 'node -e 0').ms;
      const through = await interleaved(runs, { baseline: nodeNoop, ours: async () => reveal(await cli(['secret', 'reveal', 'bench_value'])) });
      const revealThroughSession = { oursMs: through.ours, baselineMs: through.baseline };
      const sshThroughSession = await benchSshThroughSession(runs, root, cli);
      return { runs, revealThroughSession, revealWithoutSession, sshThroughSession };
    } finally {
      await cli(['lock']);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function benchSshThroughSession(runs: number, root: string, cli: (args: string[], stdin?: string) => Promise<Exit>): Promise<SessionBenchFigure> {
  const sshd = await startSshd();
  try {
    const key = await generateKey('ed25519');
    const user = await sshd.addUser({ authorizedKeys: [key.publicKey] });
    const keyFile = join(root, 'id_ed25519');
    writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    const knownHosts = join(root, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHosts(), { mode: 0o600 });

    ok(await cli(['secret', 'create', '--name', 'bench_ssh', '--type', 'ssh', '--username', user.name, '--auth', 'key', '--key-file', keyFile]), 'secret create --type ssh');
    const testArgs = ['test', 'ssh', '--secret', 'bench_ssh', '--host', sshd.host, '--port', String(sshd.port)];
    // Trust the host key once, as an admin would, so every timed run checks it against the stored one.
    ok(await cli([...testArgs, '--accept-new-host-key']), 'test ssh --accept-new-host-key');

    const sshArgs = [
      '-F', '/dev/null',
      '-p', String(sshd.port),
      '-l', user.name,
      '-i', keyFile,
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'IdentityAgent=none',
      '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '--', sshd.host, 'true',
    ];
    const figure = await interleaved(runs, {
      baseline: async () => ok(await timedRun('ssh', sshArgs), 'ssh -o BatchMode=yes … true').ms,
      ours: async () => ok(await cli(testArgs), 'test ssh').ms,
    });
    return { oursMs: figure.ours, baselineMs: figure.baseline };
  } finally {
    await sshd.stop();
  }
}
