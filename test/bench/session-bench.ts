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
  revealWithoutSession: SessionBenchFigure;
  sshThroughSession: SessionBenchFigure;
}

async function interleaved(runs: number, ours: () => Promise<number>, baseline: () => Promise<number>): Promise<SessionBenchFigure> {
  const oursMs: number[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    baselineMs.push(await baseline());
    oursMs.push(await ours());
  }
  return { oursMs: median(oursMs), baselineMs: median(baselineMs) };
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
      await scryptAsync(PASSPHRASE, randomBytes(16), 32, { N: DEFAULT_KDF.N, r: DEFAULT_KDF.r, p: DEFAULT_KDF.p, maxmem: 256 * DEFAULT_KDF.N * DEFAULT_KDF.r + 16 * 1024 * 1024 });
      return performance.now() - started;
    };
    const revealWithoutSession = await interleaved(runs, async () => reveal(await withPassphrase(['secret', 'reveal', 'bench_value'])), kdfAlone);

    ok(await withPassphrase(['unlock', '--timeout', '1h']), 'unlock');
    try {
      const nodeNoop = async () => ok(await timedRun(process.execPath, ['-e', '0']), 'node -e 0').ms;
      const revealThroughSession = await interleaved(runs, async () => reveal(await cli(['secret', 'reveal', 'bench_value'])), nodeNoop);
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
    return await interleaved(
      runs,
      async () => ok(await cli(testArgs), 'test ssh').ms,
      async () => ok(await timedRun('ssh', sshArgs), 'ssh -o BatchMode=yes … true').ms,
    );
  } finally {
    await sshd.stop();
  }
}
