/**
 * Benchmark: a full NTLM connection test by our client (Identify, NTLM
 * handshake, sealed probe of hostname and whoami) against pywinrm's
 * run_cmd (NTLM handshake, sealed hostname) on the same emulator, in the
 * same run. pywinrm runs its iterations in one Python process and times each
 * one inside it, so interpreter start-up is not counted against it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testWinrmCredential } from '../../src-delegate/connection/winrm/index.js';
import { startWinrmEmulator } from './winrm-emulator.js';
import { median } from '../bench/median.js';

export interface WinrmBenchResult {
  iterations: number;
  oursMedianMs: number;
  pywinrmMedianMs: number;
  /** ours / pywinrm: below 1 means our client is faster. */
  ratio: number;
}


/** The repository root, found from this file whether it runs from source or from dist/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}

export async function benchWinrmNtlm(iterations = 20): Promise<WinrmBenchResult> {
  const password = 'bench-Pa55word!';
  const emulator = await startWinrmEmulator({ users: [{ domain: 'EMULATOR', username: 'alice', password }] });
  const dir = mkdtempSync(join(tmpdir(), 'sr-winrm-bench-'));
  try {
    const credential = { domain: 'EMULATOR', username: 'alice', password, auth: 'ntlm' as const, useSsl: false, port: emulator.port };
    const ours: number[] = [];
    // One unmeasured round each warms up code paths and caches on both sides.
    for (let i = 0; i <= iterations; i++) {
      const t0 = performance.now();
      const report = await testWinrmCredential(credential, { host: 'localhost' }, { mask: (text) => text, timeoutMs: 10_000 });
      if (!report.ok) throw new Error(`our client failed: ${report.error?.message}`);
      if (i > 0) ours.push(performance.now() - t0);
    }

    const opensslConf = join(dir, 'openssl-legacy.cnf');
    writeFileSync(opensslConf, 'openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n');
    const request = { endpoint: emulator.endpoint, transport: 'ntlm', username: 'EMULATOR\\alice', password, command: 'hostname', iterations: iterations + 1 };
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('/usr/bin/python3', [join(repoRoot(), 'test/emulators/pywinrm-client.py')], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OPENSSL_CONF: opensslConf },
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('error', reject);
      child.once('close', () => resolve(stdout));
      child.stdin.end(JSON.stringify(request));
    });
    const parsed = JSON.parse(output) as { ok: boolean; error?: string; results?: { seconds: number }[] };
    if (!parsed.ok || !parsed.results) throw new Error(`pywinrm failed: ${parsed.error}`);
    const theirs = parsed.results.slice(1).map((result) => result.seconds * 1000);

    const oursMedianMs = median(ours);
    const pywinrmMedianMs = median(theirs);
    return { iterations, oursMedianMs, pywinrmMedianMs, ratio: oursMedianMs / pywinrmMedianMs };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
