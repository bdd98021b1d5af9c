/**
 * Ctrl+C during a long CLI operation (export, bulk scope edit), on its own
 * core and through a session: the real built CLI runs on a pseudo-terminal
 * from `script`, and Ctrl+C is the byte 0x03 typed into that terminal, so the
 * kernel signals the whole foreground process group (the CLI and its
 * delegate) as a user's key press does. The operation stops at its safe
 * point, the CLI says how far it got and exits 130; a second Ctrl+C quits at
 * once. Each run checks the store afterwards: SQLite's check, the audit
 * chain, and which secrets the edit reached.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SecretSummary } from '../../src-shared/contract.js';
import { CLI_ENTRY, PASSPHRASE, call, requireBuild, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { managerConfig as vaultConfig, startVaultEmulator } from '../emulators/vault-emulator.js';
import { runNodeScript } from '../fixtures/process-tools.js';
import { addManager } from './managers-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { scriptArgs } from '../support/terminal.js';

/** Eight batches of 500 for a scope edit, twenty parts of 200 for an export: room to stop in the middle. */
const SECRETS = 4000;
const NAMES = Array.from({ length: SECRETS }, (_, i) => `S_${i}`);
/** Secrets named on the command line are edited in the order given. */
const EDIT_ORDER = NAMES;

/**
 * How many of the 4,000 secrets a stopped batch operation says it did: a whole number of batches of
 * 500, more than none and fewer than all, and the rest said to be untouched.
 */
function wholeBatchesDone(output: string, said: RegExp): number {
  const stopped = said.exec(output);
  expect(stopped, output).not.toBeNull();
  const done = Number(stopped![1]!.replaceAll(',', ''));
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(SECRETS);
  expect(done % 500).toBe(0);
  expect(Number(stopped![2]!.replaceAll(',', ''))).toBe(SECRETS - done);
  return done;
}

interface TerminalRun {
  status: number | null;
  /** What the command wrote to its terminal (stdout and stderr, with the bar's carriage returns). */
  output: string;
}

describeNeeding(['script'], 'CLI: Ctrl+C stops a long operation at its safe point', () => {
  const dir = tempDir('strongroom-interrupt-');
  const dataDir = join(dir.path, 'store');
  const passphraseFile = join(dir.path, 'passphrase');
  const argv = (args: string[], withPassphrase = true) => [CLI_ENTRY, '--data-dir', dataDir, ...(withPassphrase ? ['--passphrase-file', passphraseFile] : []), ...args];
  // The list of 4,000 secrets as JSON is several megabytes, past spawnSync's default buffer.
  const run = (args: string[], withPassphrase = true) => spawnSync(process.execPath, argv(args, withPassphrase), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

  /**
   * Runs the command on a pseudo-terminal and types Ctrl+C into it once `interruptWhen` holds for what
   * it wrote so far; with `secondWhen`, types a second Ctrl+C once that holds too.
   */
  function runOnTerminal(args: string[], options: { interruptWhen?: (output: string) => boolean; secondWhen?: (output: string) => boolean; withPassphrase?: boolean } = {}): Promise<TerminalRun> {
    const child = spawn('script', scriptArgs([process.execPath, ...argv(args, options.withPassphrase ?? true)], { follow: true }), { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // EPIPE once script has exited
    let output = '';
    let presses = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (presses === 0 && options.interruptWhen?.(output)) {
        presses = 1;
        child.stdin.write('\x03');
      } else if (presses === 1 && options.secondWhen?.(output)) {
        presses = 2;
        child.stdin.write('\x03');
      }
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (status) => {
        child.stdin.destroy();
        resolve({ status, output });
      });
    });
  }

  /** The counts the bar drew for `detail` ("1500/4000 edited" → 1500), in order. */
  const draws = (output: string, detail: string): { done: number; total: number }[] =>
    output
      .split('\r')
      .map((part) => new RegExp(`^\\[[#.]{30}\\] (\\d+)/(\\d+) ${detail}`).exec(part))
      .filter((match) => match !== null)
      .map((match) => ({ done: Number(match[1]), total: Number(match[2]) }));
  const drawn = (output: string, detail: string): number[] => draws(output, detail).map(({ done }) => done);
  const midway = (detail: string) => (output: string) => draws(output, detail).some(({ done, total }) => done > 0 && done < total);

  /** The names whose scope takes the application. */
  function scopedTo(applicationName: string): string[] {
    const apps = JSON.parse(run(['app', 'list', '--json']).stdout) as { id: string; name: string }[];
    const app = apps.find((candidate) => candidate.name === applicationName)!;
    const list = run(['secret', 'list', '--json']);
    expect(list.status, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout) as SecretSummary[];
    return items.filter((item) => item.scope.entries.some((entry) => entry.applicationId === app.id)).map((item) => item.name);
  }

  function expectStoreWhole(): void {
    const check = run(['store', 'check']);
    expect(check.status, check.stderr).toBe(0);
    const audit = run(['audit', 'verify']);
    expect(audit.status, audit.stderr).toBe(0);
  }

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(dir.path, 'export-passphrase'), 'export passphrase for the interrupt test\n', { mode: 0o600 });
    writeFileSync(join(dir.path, 'many.env'), NAMES.map((name, i) => `${name}=value-${i}`).join('\n'));
    for (const args of [['init'], ['import', '--from', join(dir.path, 'many.env')], ['app', 'create', 'billing'], ['app', 'create', 'payroll'], ['app', 'create', 'ledger']]) {
      const result = run(args);
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
  }, 600_000);
  afterAll(() => {
    spawnSync(process.execPath, argv(['lock'], false), { encoding: 'utf8' });
    dir.remove();
  });

  it('an export stopped by Ctrl+C writes no file, says how far it got, and exits 130', async () => {
    const out = join(dir.path, 'stopped.srbackup');
    const result = await runOnTerminal(['export', '--out', out, '--export-passphrase-file', join(dir.path, 'export-passphrase')], { interruptWhen: midway('secrets exported') });
    expect(result.status, result.output).toBe(130);
    expect(result.output).toContain('Stopping at the next safe point');
    expect(result.output).toMatch(/Export stopped after [\d,]+ of 4,000 secrets exported\. The export was stopped\. No file was written\./);
    expect(existsSync(out)).toBe(false);
    expectStoreWhole();
  }, 600_000);

  it('a Ctrl+C after the export finished, while the CLI prints and closes, leaves its exit code 0', async () => {
    const out = join(dir.path, 'late.srbackup');
    const result = await runOnTerminal(['export', '--out', out, '--export-passphrase-file', join(dir.path, 'export-passphrase')], {
      interruptWhen: (output) => output.includes(`Exported ${SECRETS} secrets`),
    });
    expect(result.output).toContain(`Exported ${SECRETS} secrets to ${out}.`);
    expect(result.status, result.output).toBe(0);
    expect(existsSync(out)).toBe(true);
  }, 600_000);

  it('a bulk scope edit stopped by Ctrl+C keeps whole batches, names how many, and exits 130', async () => {
    const result = await runOnTerminal(['secret', 'scope', ...NAMES, '--add', 'billing:*'], { interruptWhen: midway('edited') });
    expect(result.status, result.output).toBe(130);
    const done = wholeBatchesDone(result.output, /Stopped after ([\d,]+) of 4,000 secrets; the other ([\d,]+) were not touched\./);
    expect(result.output).toContain(`Scope edited: ${done} changed, 0 already so, 0 left as they were, of ${SECRETS} secrets.`);
    // Exactly the first `done` secrets in the edit's order took the scope; the rest were not touched.
    expect(scopedTo('billing').sort()).toEqual(EDIT_ORDER.slice(0, done).sort());
    expectStoreWhole();
  }, 600_000);

  it('a second Ctrl+C quits at once; every batch written is whole', async () => {
    const result = await runOnTerminal(['secret', 'scope', ...NAMES, '--add', 'payroll:*'], {
      interruptWhen: midway('edited'),
      secondWhen: (output) => output.includes('Stopping at the next safe point'),
    });
    expect(result.status, result.output).toBe(130);
    expect(result.output).toContain('Quit at once.');
    const scoped = scopedTo('payroll');
    // Batches of 500, each one transaction: a quit never leaves part of one.
    expect(scoped.length % 500).toBe(0);
    expect(scoped.sort()).toEqual(EDIT_ORDER.slice(0, scoped.length).sort());
    expectStoreWhole();
  }, 600_000);

  it("through a session: the bar is drawn from the session's progress events, and Ctrl+C stops the edit there", async () => {
    const unlock = run(['unlock', '--timeout', '30m']);
    expect(unlock.status, unlock.stderr).toBe(0);

    const out = join(dir.path, 'session.srbackup');
    const exported = await runOnTerminal(['export', '--out', out, '--export-passphrase-file', join(dir.path, 'export-passphrase')], { withPassphrase: false });
    expect(exported.status, exported.output).toBe(0);
    const steps = drawn(exported.output, 'secrets exported');
    // One draw per part of 200 secrets, from none to all of them.
    expect(steps.length).toBeGreaterThanOrEqual(SECRETS / 200);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(SECRETS);
    expect(exported.output).toContain(`Exported ${SECRETS} secrets`);

    const result = await runOnTerminal(['secret', 'scope', ...NAMES, '--add', 'ledger:*'], { interruptWhen: midway('edited'), withPassphrase: false });
    expect(result.status, result.output).toBe(130);
    const stopped = /Stopped after ([\d,]+) of 4,000 secrets/.exec(result.output);
    expect(stopped, result.output).not.toBeNull();
    const done = Number(stopped![1]!.replaceAll(',', ''));
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(SECRETS);
    // The session is still open and served the edit: nothing asked for the passphrase.
    expect(run(['status'], false).status).toBe(0);
    expect(scopedTo('ledger').sort()).toEqual(EDIT_ORDER.slice(0, done).sort());
    expect(run(['lock'], false).status).toBe(0);
    expectStoreWhole();
  }, 600_000);

  it('a restore stopped by Ctrl+C while decrypting writes nothing: the store stays empty', async () => {
    // The backup the session test exported, restored into a new store.
    const restored = join(dir.path, 'restored');
    const init = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', restored, '--passphrase-file', passphraseFile, 'init'], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const restore = ['import', '--from', join(dir.path, 'session.srbackup'), '--export-passphrase-file', join(dir.path, 'export-passphrase')];
    const result = await runOnTerminal(['--data-dir', restored, ...restore], { interruptWhen: midway('parts decrypted') });
    expect(result.status, result.output).toBe(130);
    expect(result.output).toMatch(/Restore stopped after [\d,]+ of [\d,]+ parts decrypted\. The restore was stopped before anything was written\. The store is still empty\./);
    const list = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', restored, '--passphrase-file', passphraseFile, 'secret', 'list', '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  }, 600_000);

  it('an import of .env secrets stopped by Ctrl+C keeps whole batches, says how many, and exits 130', async () => {
    const target = join(dir.path, 'import-target');
    const init = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', target, '--passphrase-file', passphraseFile, 'init'], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const result = await runOnTerminal(['--data-dir', target, 'import', '--from', join(dir.path, 'many.env')], { interruptWhen: midway('imported') });
    expect(result.status, result.output).toBe(130);
    const done = wholeBatchesDone(result.output, /Import stopped after ([\d,]+) of 4,000 secrets, in whole batches of 500; the other ([\d,]+) were not imported\./);
    // Exactly the first batches of the file, each whole.
    const list = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', target, '--passphrase-file', passphraseFile, 'secret', 'list', '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(list.status, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as SecretSummary[]).map((item) => item.name).sort()).toEqual(NAMES.slice(0, done).sort());
    const check = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', target, '--passphrase-file', passphraseFile, 'audit', 'verify'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  }, 600_000);

  it('a migration paused by Ctrl+C says how far it got and how to resume, exits 130, and the resume finishes it with every value intact', async () => {
    const MIGRATED = 1000;
    const names = Array.from({ length: MIGRATED }, (_, i) => `M_${i}`);
    const store = join(dir.path, 'migrate-store');
    const envFile = join(dir.path, 'migrate.env');
    writeFileSync(envFile, names.map((name, i) => `${name}=moved-${i}`).join('\n'));
    const vault = await startVaultEmulator();
    const cli = (args: string[]) => runNodeScript(CLI_ENTRY, ['--data-dir', store, '--passphrase-file', passphraseFile, ...args]);
    try {
      for (const args of [['init'], ['import', '--from', envFile]]) {
        const result = await cli(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      const core = await startCore(store);
      let target: { id: string };
      try {
        await call(core, 'vault.unlock', await sealedUnlock(core));
        target = await addManager(core, 'vault-m', 'vault', { ...vaultConfig(vault), basePath: 'strongroom/m' });
      } finally {
        await core.close();
      }

      // A low request rate keeps the run going long enough to be stopped in its middle.
      const result = await runOnTerminal(['--data-dir', store, 'migrate', '--from', 'local', '--to', 'vault-m', '--rate', '200'], { interruptWhen: midway('\\(\\d+ moved') });
      expect(result.status, result.output).toBe(130);
      expect(result.output).toContain('Stopping at the next safe point');
      const paused = /Paused after ([\d,]+) of 1,000 \(([\d,]+) moved, 0 failed\); resume with: strongroom migrate resume (\S+)/.exec(result.output);
      expect(paused, result.output).not.toBeNull();
      const moved = Number(paused![2]!.replaceAll(',', ''));
      expect(moved).toBeGreaterThan(0);
      expect(moved).toBeLessThan(MIGRATED);
      const runId = paused![3]!;

      // Nothing lost: the journal says paused, with what the command said.
      const status = await cli(['migrate', 'status', runId, '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ state: 'paused', done: moved, failed: 0, total: MIGRATED });

      const resumed = await cli(['migrate', 'resume', runId]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`Migration ${runId}: ${MIGRATED} of ${MIGRATED} moved, 0 failed.`);
      const list = await cli(['secret', 'list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      const items = JSON.parse(list.stdout) as SecretSummary[];
      expect(items.map((item) => item.name).sort()).toEqual([...names].sort());
      expect(items.every((item) => item.managerId === target.id)).toBe(true);
      // A few across the list, moved before or after the pause: each reveals its own value from Vault.
      for (const i of [0, moved - 1, moved, MIGRATED - 1]) {
        const reveal = await cli(['secret', 'reveal', names[i]!]);
        expect(reveal.code, reveal.stderr).toBe(0);
        expect(reveal.stdout).toBe(`moved-${i}`);
      }
    } finally {
      await vault.close();
    }
  }, 600_000);

  it('a master key rotation stopped by Ctrl+C stops between batches, every secret still opens, and running it again finishes it', async () => {
    const exportPassphrase = ['--export-passphrase-file', join(dir.path, 'export-passphrase')];
    // Unscoped, so the CLI may reveal them (the tests above scoped some of the others).
    const probes = ['rotation_probe_a', 'rotation_probe_b'];
    for (const name of probes) {
      const created = spawnSync(process.execPath, argv(['secret', 'create', '--name', name]), { input: `${name}-value`, encoding: 'utf8' });
      expect(created.status, created.stderr).toBe(0);
    }
    const everyValueOpens = (name: string) => {
      // An export decrypts every value: it succeeds only if every data key still opens.
      const exported = run(['export', '--out', join(dir.path, name), ...exportPassphrase]);
      expect(exported.status, exported.stderr).toBe(0);
      expect(exported.stderr).toContain(`Exported ${SECRETS + probes.length} secrets`);
      for (const probe of probes) expect(run(['secret', 'reveal', probe]).stdout).toBe(`${probe}-value`);
    };

    const result = await runOnTerminal(['keyring', 'rotate'], { interruptWhen: midway('data keys re-wrapped') });
    expect(result.status, result.output).toBe(130);
    const stopped =
      /Stopped the master key rotation after ([\d,]+) of ([\d,]+) keys, between batches: every secret still opens\. It stays journaled and finishes by itself at the next unlock of the app or a session \("strongroom unlock"\), or run "strongroom keyring rotate" again\./.exec(
        result.output,
      );
    expect(stopped, result.output).not.toBeNull();
    const done = Number(stopped![1]!.replaceAll(',', ''));
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(Number(stopped![2]!.replaceAll(',', '')));
    // Journaled as interrupted: the store file says so, with no key and no session.
    const status = run(['status'], false);
    expect(`${status.stdout}${status.stderr}`).toMatch(/Key work \(waiting for an unlock\): .*master key rotation/);
    everyValueOpens('rotation-stopped.srbackup');

    const again = run(['keyring', 'rotate']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Finished the rotation to keyring version \d+/);
    everyValueOpens('rotation-finished.srbackup');
    expectStoreWhole();
  }, 600_000);

  it('through a session, Ctrl+C on a master key rotation leaves it to the session agent, which finishes it', async () => {
    const unlock = run(['unlock', '--timeout', '30m']);
    expect(unlock.status, unlock.stderr).toBe(0);
    try {
      // The bar is drawn from the progress the agent forwards to the command that asked for the rotation.
      const result = await runOnTerminal(['keyring', 'rotate'], { interruptWhen: midway('data keys re-wrapped') });
      expect(result.status, result.output).toBe(130);
      expect(result.output).toMatch(/Left after [\d,]+ of [\d,]+ keys: the master key rotation goes on in the session agent, which finishes it/);
      type Status = { keyWork: { work: string; state: string; message: string }[] };
      const rotation = () => (JSON.parse(run(['status', '--json'], false).stdout) as Status).keyWork.find((item) => item.work === 'keyring.rotate');
      while (rotation()?.state === 'running') await new Promise((resolve) => setTimeout(resolve, 500));
      expect(rotation()).toMatchObject({ state: 'finished' });
      for (const probe of ['rotation_probe_a', 'rotation_probe_b']) expect(run(['secret', 'reveal', probe], false).stdout).toBe(`${probe}-value`);
    } finally {
      expect(run(['lock'], false).status).toBe(0);
    }
    expectStoreWhole();
  }, 600_000);
});
