/**
 * `strongroom unlock` / `lock` / `status`: the session agent serving a data
 * folder to later CLIs through the real built CLI, and the app (its core
 * with serve.ts's session wiring) serving the same socket. No timed
 * assertion: idle expiry uses a one-second timeout and waits for the agent
 * to exit on its own.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core-types.js';
import { serveSessionWhileUnlocked, type AppSession } from '../../src-main/core/session/app-session.js';
import { startSessionServer } from '../../src-main/core/session/session-server.js';
import { ManualClock } from '../support/manual-clock.js';
import { sessionSocketPath, sessionTokenPath } from '../../src-main/core/session/session-protocol.js';
import { CLI_ENTRY, PASSPHRASE, call, requireBuild, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { missingToolsReason } from '../fixtures/system-tools.js';
import { runNodeScript } from '../fixtures/process-tools.js';

const CANARY = 'session-canary-7Qx2Lm9Pz4';

interface Run {
  pid: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

async function cli(dataDir: string, args: string[], options: { stdin?: string; passphraseFile?: string } = {}): Promise<Run> {
  const argv = ['--data-dir', dataDir, ...(options.passphraseFile ? ['--passphrase-file', options.passphraseFile] : []), ...args];
  const { pid, code, stdout, stderr } = await runNodeScript(CLI_ENTRY, argv, { stdin: options.stdin });
  return { pid, status: code, stdout, stderr };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function exited(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function agentPid(dataDir: string): Promise<number> {
  const status = await cli(dataDir, ['status', '--json']);
  expect(status.status, status.stderr).toBe(0);
  return (JSON.parse(status.stdout) as { pid: number }).pid;
}

describe('session agent', () => {
  const dir = tempDir('strongroom-session-');
  const passphraseFile = join(dir.path, 'passphrase');
  let store: string;
  const agents = new Set<number>();

  beforeAll(async () => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    store = join(dir.path, 'store');
    expect((await cli(store, ['init'], { passphraseFile })).status).toBe(0);
    expect((await cli(store, ['secret', 'create', '--name', 'db_password'], { passphraseFile, stdin: CANARY })).status).toBe(0);
  });

  const unlock = async (timeout: string) => {
    const unlocked = await cli(store, ['unlock', '--timeout', timeout], { passphraseFile });
    expect(unlocked.status, unlocked.stderr).toBe(0);
    const pid = Number(/session agent \(pid (\d+)\)/.exec(unlocked.stderr)?.[1]);
    agents.add(pid);
    return pid;
  };

  afterEach(async () => {
    await cli(store, ['lock']);
    for (const pid of agents) if (alive(pid)) process.kill(pid, 'SIGKILL');
    agents.clear();
  });

  afterAll(() => dir.remove());

  const revealActors = () => {
    const db = new BetterSqlite3(join(store, 'strongroom.db'), { readonly: true });
    try {
      return (db.prepare("SELECT actor FROM audit_log WHERE action = 'secret.reveal'").all() as { actor: string }[]).map(({ actor }) => actor);
    } finally {
      db.close();
    }
  };

  it('unlock, use without a passphrase from two CLIs at once, audited with their pids, then lock', async () => {
    const pid = await unlock('1h');
    const status = JSON.parse((await cli(store, ['status', '--json'])).stdout) as { open: boolean; server: string; expiresAt: string };
    expect(status).toMatchObject({ open: true, server: 'agent' });
    expect(Date.parse(status.expiresAt)).toBeGreaterThan(Date.now());

    const [first, second] = await Promise.all([cli(store, ['secret', 'reveal', 'db_password']), cli(store, ['secret', 'reveal', 'db_password'])]);
    expect(first).toMatchObject({ status: 0, stdout: CANARY });
    expect(second).toMatchObject({ status: 0, stdout: CANARY });

    // Each reveal is audited under the CLI that asked, by its pid, as without a session.
    expect(revealActors()).toEqual(expect.arrayContaining([`cli:${first.pid}`, `cli:${second.pid}`]));

    const locked = await cli(store, ['lock']);
    expect(locked.status).toBe(0);
    await exited(pid);
    expect((await cli(store, ['status'])).status).toBe(1);
    // Without a session, a command needs the passphrase again.
    const refused = await cli(store, ['secret', 'reveal', 'db_password']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/No master passphrase/);
  });

  it('without a session, the audit trail names the CLI with its pid too, and the CLI filter of the audit list finds both', async () => {
    const own = await cli(store, ['secret', 'reveal', 'db_password'], { passphraseFile });
    expect(own).toMatchObject({ status: 0, stdout: CANARY });
    expect(revealActors()).toContain(`cli:${own.pid}`);

    await unlock('1h');
    const served = await cli(store, ['secret', 'reveal', 'db_password']);
    expect(served).toMatchObject({ status: 0, stdout: CANARY });
    expect(revealActors()).toContain(`cli:${served.pid}`);
    expect((await cli(store, ['lock'])).status).toBe(0);

    const app = await startCore(store);
    try {
      await call(app, 'vault.unlock', await sealedUnlock(app));
      const byCli = await call(app, 'audit.list', { actor: 'cli', action: 'secret.reveal', limit: 500 });
      expect(byCli.items.map((item) => item.actor)).toEqual(expect.arrayContaining([`cli:${own.pid}`, `cli:${served.pid}`]));
    } finally {
      await app.close();
    }
  });

  it('locks and exits on its own after the idle timeout', async () => {
    const pid = await unlock('1s');
    await exited(pid);
    expect((await cli(store, ['status'])).status).toBe(1);
    expect(existsSync(sessionSocketPath(store))).toBe(false);
  });

  it('a socket left by a killed agent is stale: commands fall back to the passphrase, and unlock replaces it', async () => {
    const pid = await unlock('1h');
    process.kill(pid, 'SIGKILL');
    await exited(pid);
    expect(existsSync(sessionSocketPath(store))).toBe(true);
    expect((await cli(store, ['status'])).status).toBe(1);
    expect(await cli(store, ['secret', 'reveal', 'db_password'], { passphraseFile })).toMatchObject({ status: 0, stdout: CANARY });
    await unlock('1h');
    expect(await cli(store, ['secret', 'reveal', 'db_password'])).toMatchObject({ status: 0, stdout: CANARY });
  });

  it('refuses a wrong passphrase and leaves no agent behind', async () => {
    // A store of its own: the failed attempt delays the next unlock of its store by a second, which would race the next test.
    const own = join(dir.path, 'wrong-passphrase-store');
    expect((await cli(own, ['init'], { passphraseFile })).status).toBe(0);
    const wrong = join(dir.path, 'wrong');
    writeFileSync(wrong, 'not the passphrase at all\n', { mode: 0o600 });
    const unlocked = await cli(own, ['unlock'], { passphraseFile: wrong });
    expect(unlocked.status).toBe(1);
    expect(unlocked.stderr).toContain('Wrong passphrase');
    expect((await cli(own, ['status'])).status).toBe(1);
  });

  const gcoreMissing = missingToolsReason(['gcore']);
  it.skipIf(gcoreMissing !== null)(`the revealed value never reaches the agent's memory${gcoreMissing ? ` [skipped: ${gcoreMissing}]` : ''}`, async () => {
    const pid = await unlock('1h');
    expect(await cli(store, ['secret', 'reveal', 'db_password'])).toMatchObject({ status: 0, stdout: CANARY });
    const prefix = join(dir.path, 'agent-core');
    const dumped = spawnSync('gcore', ['-o', prefix, String(pid)], { encoding: 'utf8' });
    expect(dumped.status, dumped.stderr).toBe(0);
    const file = readdirSync(dir.path).find((name) => name.startsWith('agent-core'))!;
    const memory = readFileSync(join(dir.path, file));
    rmSync(join(dir.path, file));
    // The dump is searchable: the secret's name, which main does hold, is in it.
    expect(memory.includes(Buffer.from('db_password'))).toBe(true);
    expect(memory.includes(Buffer.from(CANARY))).toBe(false);
    expect(memory.includes(Buffer.from(CANARY, 'utf16le'))).toBe(false);
  });

  const otherUserMissing = process.getuid?.() !== 0 ? 'root, to create and become a second user' : missingToolsReason(['useradd', 'setpriv']);
  it.skipIf(otherUserMissing !== null)(`a second OS user cannot connect to the socket${otherUserMissing ? ` [skipped: ${otherUserMissing}]` : ''}`, async () => {
    // A folder every user may traverse, so only the data folder's and the socket's own modes keep the other user out.
    const shared = join('/tmp', `strongroom-shared-${process.pid}`);
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o755);
    const sharedStore = join(shared, 'store');
    try {
      expect((await cli(sharedStore, ['init'], { passphraseFile })).status).toBe(0);
      const unlocked = await cli(sharedStore, ['unlock', '--timeout', '1h'], { passphraseFile });
      expect(unlocked.status, unlocked.stderr).toBe(0);
      agents.add(await agentPid(sharedStore));
      if (spawnSync('id', ['strongroom-other']).status !== 0) expect(spawnSync('useradd', ['--no-create-home', 'strongroom-other']).status).toBe(0);
      const uid = spawnSync('id', ['-u', 'strongroom-other'], { encoding: 'utf8' }).stdout.trim();
      const probe = `require('net').connect(${JSON.stringify(sessionSocketPath(sharedStore))}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`;
      const asOther = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e', probe], { encoding: 'utf8' });
      expect(asOther.stdout.trim()).toBe('EACCES');
      const asOwner = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      expect(asOwner.stdout.trim()).toBe('connected');
    } finally {
      await cli(sharedStore, ['lock']);
      rmSync(shared, { recursive: true, force: true });
    }
  });

  const peerCheckMissing = process.getuid?.() !== 0 ? 'root, to create and become a second user' : missingToolsReason(['useradd', 'setpriv', 'ss']);
  it.skipIf(peerCheckMissing !== null)(
    `the peer check itself refuses another user, even with the socket reachable and the token known${peerCheckMissing ? ` [skipped: ${peerCheckMissing}]` : ''}`,
    async () => {
      const shared = join('/tmp', `strongroom-peer-${process.pid}`);
      mkdirSync(shared, { recursive: true });
      chmodSync(shared, 0o755);
      const sharedStore = join(shared, 'store');
      try {
        expect((await cli(sharedStore, ['init'], { passphraseFile })).status).toBe(0);
        const unlocked = await cli(sharedStore, ['unlock', '--timeout', '1h'], { passphraseFile });
        expect(unlocked.status, unlocked.stderr).toBe(0);
        agents.add(await agentPid(sharedStore));
        // Take away every filesystem barrier: the folder and socket open to all, the token in a world-readable file.
        chmodSync(sharedStore, 0o755);
        chmodSync(sessionSocketPath(sharedStore), 0o666);
        const tokenCopy = join(shared, 'token');
        writeFileSync(tokenCopy, readFileSync(sessionTokenPath(sharedStore)), { mode: 0o644 });
        if (spawnSync('id', ['strongroom-other']).status !== 0) expect(spawnSync('useradd', ['--no-create-home', 'strongroom-other']).status).toBe(0);
        const uid = spawnSync('id', ['-u', 'strongroom-other'], { encoding: 'utf8' }).stdout.trim();
        // Connects, says hello with the token and a pid (its own unless told), and prints the reply.
        const hello = (claimedPid: string) =>
          `const token = require('fs').readFileSync(${JSON.stringify(tokenCopy)}, 'utf8').trim();
           const socket = require('net').connect(${JSON.stringify(sessionSocketPath(sharedStore))}, () => socket.write(JSON.stringify({ kind: 'hello', id: 1, token, pid: ${claimedPid} }) + '\\n'));
           socket.on('data', (data) => { console.log(String(data).split('\\n')[0]); process.exit(0); });
           socket.on('error', (error) => { console.log(error.code); process.exit(0); });`;
        const reply = (run: { stdout: string; stderr: string }) => {
          try {
            return JSON.parse(run.stdout) as { ok: boolean; error?: { code: string; message: string } };
          } catch {
            throw new Error(`no reply: ${run.stdout} ${run.stderr}`);
          }
        };

        const asOther = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e', hello('process.pid')], { encoding: 'utf8' });
        expect(reply(asOther)).toMatchObject({ ok: false, error: { code: 'SESSION_REFUSED', message: expect.stringMatching(/runs as uid \d+, not as the session's user/) } });

        // Naming a process of the session's user does not help: that process is not at the other end.
        const lying = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e', hello(String(process.pid))], { encoding: 'utf8' });
        expect(reply(lying)).toMatchObject({ ok: false, error: { code: 'SESSION_REFUSED', message: expect.stringMatching(/is not the one at the other end/) } });

        const asOwner = spawnSync(process.execPath, ['-e', hello('process.pid')], { encoding: 'utf8' });
        expect(reply(asOwner)).toMatchObject({ ok: true });
      } finally {
        await cli(sharedStore, ['lock']);
        rmSync(shared, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('a sleep of the machine closes the session and locks the store (clocks injected, no real sleep)', async () => {
    const core = await startCore(store);
    const clock = new ManualClock(Date.now());
    let wallAhead = 0;
    const stopped: string[] = [];
    try {
      await call(core, 'vault.unlock', await sealedUnlock(core));
      await startSessionServer({
        core,
        dataDir: store,
        server: 'agent',
        idleTimeoutMs: 3_600_000,
        clock,
        sleepClocks: { wallMs: () => clock.now() + wallAhead, monotonicMs: () => clock.now() },
        onStop: (reason) => stopped.push(reason),
      });
      expect(await cli(store, ['secret', 'reveal', 'db_password'])).toMatchObject({ status: 0, stdout: CANARY });
      clock.advance(60_000);
      expect(stopped).toEqual([]);

      wallAhead += 20 * 60_000;
      clock.advance(60_000);
      while (stopped.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stopped).toEqual(['sleep']);
      expect((await call(core, 'app.status', {})).unlocked).toBe(false);
      expect(existsSync(sessionSocketPath(store))).toBe(false);
      expect((await cli(store, ['status'])).status).toBe(1);
    } finally {
      await core.close();
    }
  });

  it('a request in flight keeps the session open past its idle timeout, which counts from the end of the request (clock injected)', async () => {
    const core = await startCore(store);
    const clock = new ManualClock(Date.now());
    const timeoutMs = 60_000;
    const stopped: string[] = [];
    const exportPassphrase = join(dir.path, 'export-passphrase');
    writeFileSync(exportPassphrase, 'export passphrase for the idle test\n', { mode: 0o600 });
    const out = join(dir.path, 'idle-test.srbackup');
    /** What the session said while the export was in flight, read from the core's own event, so the export is surely running. */
    const duringExport: { stopped: string[]; expiresAt: string }[] = [];
    let server: Awaited<ReturnType<typeof startSessionServer>> | null = null;
    const unsubscribe = core.onEvent((event) => {
      if (event.type !== 'operation.progress' || event.phase !== 'exporting' || duringExport.length > 0) return;
      // Ten idle timeouts pass while the export works.
      clock.advance(10 * timeoutMs);
      duringExport.push({ stopped: [...stopped], expiresAt: server!.status().expiresAt! });
    });
    try {
      await call(core, 'vault.unlock', await sealedUnlock(core));
      server = await startSessionServer({ core, dataDir: store, server: 'agent', idleTimeoutMs: timeoutMs, clock, onStop: (reason) => stopped.push(reason) });
      const exported = await cli(store, ['export', '--out', out, '--export-passphrase-file', exportPassphrase]);
      expect(exported.status, exported.stderr).toBe(0);
      expect(duringExport).toEqual([{ stopped: [], expiresAt: new Date(clock.now() + timeoutMs).toISOString() }]);
      expect(existsSync(out)).toBe(true);

      // The export ended just now (the clock has not moved since): a full timeout from here, and not before.
      const endedAt = clock.now();
      expect(server.status().expiresAt).toBe(new Date(endedAt + timeoutMs).toISOString());
      clock.advance(timeoutMs - 1);
      expect(stopped).toEqual([]);
      clock.advance(1);
      while (stopped.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stopped).toEqual(['idle']);
      expect((await call(core, 'app.status', {})).unlocked).toBe(false);
    } finally {
      unsubscribe();
      await server?.stop('signal');
      await core.close();
    }
  });

  it('the app serves the same session: the CLI uses it, and locking either side locks both', async () => {
    const app = await startCore(store);
    try {
      serveSessionWhileUnlocked(app, store);
      await call(app, 'vault.unlock', await sealedUnlock(app));
      let status = await cli(store, ['status', '--json']);
      while (status.status !== 0) status = await cli(store, ['status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ open: true, server: 'app', pid: process.pid, expiresAt: null });
      expect(await cli(store, ['secret', 'reveal', 'db_password'])).toMatchObject({ status: 0, stdout: CANARY });

      // The CLI's lock locks the app.
      expect((await cli(store, ['lock'])).status).toBe(0);
      expect((await call(app, 'app.status', {})).unlocked).toBe(false);

      // The app's lock closes the session.
      await call(app, 'vault.unlock', await sealedUnlock(app));
      status = await cli(store, ['status']);
      while (status.status !== 0) status = await cli(store, ['status']);
      await call(app, 'vault.lock', {});
      expect((await cli(store, ['status'])).status).toBe(1);
    } finally {
      await app.close();
    }
  });

  /** Polls until `ready`: the session changes hands in the background, and no time is promised for it. */
  async function until(ready: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const appUnlocked = async (app: AppCore) => (await call(app, 'app.status', {})).unlocked;

  /**
   * The app (its core, with the session wiring the app and serve.ts use) unlocked on its own while the agent `agent`
   * serves the folder: it links to the agent rather than serving. The unlock is sealed before the agent starts, so a
   * short agent timeout is not spent on it.
   */
  async function withAppBesideAgent(timeout: string, test: (app: AppCore, appSession: AppSession, agent: number) => Promise<void>): Promise<void> {
    const app = await startCore(store);
    const appSession = serveSessionWhileUnlocked(app, store);
    try {
      const sealed = await sealedUnlock(app);
      const agent = await unlock(timeout);
      await call(app, 'vault.unlock', sealed);
      await until(() => appSession.current() !== null);
      expect(appSession.current()).toBe('linked');
      expect(await appUnlocked(app)).toBe(true);
      await test(app, appSession, agent);
    } finally {
      await appSession.close();
      await app.close();
    }
  }

  it("the app unlocked beside an agent links to it: the CLI keeps the agent's session, and the app's lock ends it", async () => {
    await withAppBesideAgent('1h', async (app, appSession, agent) => {
      expect(JSON.parse((await cli(store, ['status', '--json'])).stdout)).toMatchObject({ open: true, server: 'agent', pid: agent });
      expect(await cli(store, ['secret', 'reveal', 'db_password'])).toMatchObject({ status: 0, stdout: CANARY });

      await call(app, 'vault.lock', {});
      await exited(agent);
      expect((await cli(store, ['status'])).status).toBe(1);
      expect(appSession.current()).toBeNull();
    });
  });

  it.each([
    ["a CLI's lock of the agent's session", async () => expect((await cli(store, ['lock'])).status).toBe(0)],
    ['a signal ending the agent', async (agent: number) => void process.kill(agent, 'SIGTERM')],
  ])('%s locks the app beside it', async (_what, stopAgent: (agent: number) => Promise<void>) => {
    await withAppBesideAgent('1h', async (app, appSession, agent) => {
      await stopAgent(agent);
      await exited(agent);
      await until(async () => !(await appUnlocked(app)));
      expect(appSession.current()).toBeNull();
      expect((await cli(store, ['status'])).status).toBe(1);
    });
  });

  it("the agent's idle expiry ends the CLI's session only: the app stays unlocked and serves the socket itself", async () => {
    // Long enough for the app to unlock and link first; the agent then expires on its own.
    await withAppBesideAgent('5s', async (app, appSession, agent) => {
      await exited(agent);
      await until(() => appSession.current() === 'serving');
      expect(await appUnlocked(app)).toBe(true);
      expect(JSON.parse((await cli(store, ['status', '--json'])).stdout)).toMatchObject({ open: true, server: 'app', pid: process.pid });
      expect(await cli(store, ['secret', 'reveal', 'db_password'])).toMatchObject({ status: 0, stdout: CANARY });
    });
  });

  it('an agent killed without a word leaves the app unlocked, and the app serves the socket itself', async () => {
    await withAppBesideAgent('1h', async (app, appSession, agent) => {
      process.kill(agent, 'SIGKILL');
      await exited(agent);
      await until(() => appSession.current() === 'serving');
      expect(await appUnlocked(app)).toBe(true);
      expect(JSON.parse((await cli(store, ['status', '--json'])).stdout)).toMatchObject({ open: true, server: 'app', pid: process.pid });
    });
  });
});

