/**
 * A second OS user on the machine, while Strongroom runs with its browser
 * open, reads every process's command line (`ps` and /proc), every
 * environment it may read and every file it can open under /tmp, /var/tmp,
 * /dev/shm and the folder around the store, and tries every 256-bit string it
 * found against the bridge. It must get nowhere: the one credential it may
 * use is the launch code this test plants on a command line of its own,
 * which proves the scan would have found one there.
 *
 * Needs root (to create the user and run as it), useradd and userdel, and
 * Chromium for the browser serve.js opens.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../fixtures/process-tools.js';
import { describeNeeding, systemTools } from '../fixtures/system-tools.js';
import { startBridge, type RunningBridge } from '../e2e/bridge-harness.js';
import { REPO_ROOT, tempDir } from '../support/core-harness.js';

interface IntruderReport {
  uid: number;
  seen: { processes: number; environments: number; files: number; psLines: number };
  candidates: number;
  accepted: { as: string; candidate: string }[];
  storeReadable: boolean;
  browserCommandLine: string | null;
}

const LAUNCH_PAGE_WAIT_MS = 30_000;

/** useradd and userdel fail while another test holds the passwd lock; they are retried then. */
async function admin(command: string, args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await run(command, args);
      return;
    } catch (error) {
      if (attempt >= 50 || !/lock/i.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function runAs(uid: number, gid: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { uid, gid, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => (status === 0 ? resolve(stdout) : reject(new Error(`the intruder exited with ${status}: ${stderr}`))));
  });
}

const rootReason = process.getuid?.() === 0 ? null : 'not running as root, so no second user can be created';
if (rootReason) console.log(`skipping "bridge as seen by another OS user": ${rootReason}`);

describeNeeding(['useradd', 'chromium', 'id'], 'bridge as seen by another OS user', () => {
  const dir = tempDir('strongroom-other-user-');
  const user = `sr-intruder-${randomBytes(4).toString('hex')}`;
  // World-traversable like a home folder: only the data folder's own 0700 keeps the other user out.
  const home = join(dir.path, 'home');
  const dataDir = join(home, '.config', 'Strongroom');
  const launchPage = join(dataDir, 'open-strongroom.html');
  const browserPidFile = join(dir.path, 'browser.pid');
  const intruderScript = join(dir.path, 'bridge-intruder.mjs');
  let bridge: RunningBridge | undefined;
  let planted: ReturnType<typeof spawn> | undefined;
  let created = false;

  beforeAll(async () => {
    if (rootReason) return;
    chmodSync(dir.path, 0o755);
    mkdirSync(join(home, '.config'), { recursive: true, mode: 0o755 });
    copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'bridge-intruder.mjs'), intruderScript);
    chmodSync(intruderScript, 0o644);
    // The browser as serve.js starts it, made headless; it records its pid so the test can stop it (serve.js detaches it).
    const browser = join(dir.path, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho $$ > '${browserPidFile}'\nexec '${systemTools.chromium.executable}' --headless --no-sandbox --disable-gpu "$@" 2>/dev/null\n`, { mode: 0o755 });
    await admin('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    created = true;
    bridge = await startBridge(dataDir, { browser, env: { ...process.env, DISPLAY: ':99' } });
    // The browser has used its launch code once the launch page is gone.
    const deadline = Date.now() + LAUNCH_PAGE_WAIT_MS;
    while (!existsSync(browserPidFile) || existsSync(launchPage)) {
      if (Date.now() > deadline) throw new Error(`the browser did not open the launch page within ${LAUNCH_PAGE_WAIT_MS} ms\n${bridge.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    planted?.kill('SIGKILL');
    if (existsSync(browserPidFile)) {
      const pid = Number(readFileSync(browserPidFile, 'utf8').trim());
      try {
        process.kill(-pid, 'SIGKILL'); // serve.js started it detached: its own process group
      } catch {
        // already gone
      }
    }
    await bridge?.stop();
    if (created) await admin('userdel', [user]);
    dir.remove();
  });

  it.skipIf(rootReason !== null)('finds no credential in anything it can read, and cannot open the store', async () => {
    if (!bridge) throw new Error('not started');
    // A launch code on a command line every user can read, as the browser's once was: the scan must find and use it.
    const leaked = await bridge.launchUrl();
    const leakedCode = new URL(leaked).searchParams.get('token')!;
    planted = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', leaked], { stdio: 'ignore' });

    const uid = Number((await run('id', ['-u', user])).stdout.trim());
    const gid = Number((await run('id', ['-g', user])).stdout.trim());
    const port = String(new URL(bridge.origin).port);
    const report = JSON.parse(await runAs(uid, gid, [intruderScript, port, join(dataDir, 'strongroom.db'), '/tmp', '/var/tmp', '/dev/shm', home])) as IntruderReport;

    console.log(
      `intruder uid ${uid}: ${report.seen.processes} command lines, ${report.seen.psLines} ps lines, ${report.seen.environments} environments, ${report.seen.files} files read; ${report.candidates} candidate strings tried`,
    );
    expect(report.uid).toBe(uid);
    expect(report.seen.processes).toBeGreaterThan(0);
    expect(report.seen.files).toBeGreaterThan(0);
    // It saw the browser's command line: the launch page's path is there, and no token.
    expect(report.browserCommandLine).toContain('open-strongroom.html');
    expect(report.browserCommandLine).not.toContain('token=');
    expect(report.accepted).toEqual([{ as: 'launch code', candidate: leakedCode }]);
    expect(report.storeReadable).toBe(false);
  });
});
