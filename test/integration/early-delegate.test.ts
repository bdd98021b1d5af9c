// A CLI command without a session forks its delegate before it loads the core
// (forkDelegateEarly): the supervisor that takes the process later must still
// see everything it said and did before anyone listened, and a process nobody
// takes must not outlive the command.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkDelegateEarly } from '../../src-main/core/delegate/node-delegate-channel.js';
import type { DelegateLaunch } from '../../src-main/core/delegate/delegate-channel.js';

const dir = mkdtempSync(join(tmpdir(), 'strongroom-early-delegate-'));
// Says "ready" at once and notes its pid; exits with 3 after saying it when asked to.
const child = join(dir, 'child.mjs');
writeFileSync(
  child,
  `import { writeFileSync } from 'node:fs';
const [pidFile, mode] = process.argv.slice(2);
writeFileSync(pidFile, String(process.pid));
process.send('ready', () => { if (mode === 'exit') process.exit(3); });
setInterval(() => undefined, 60_000);
process.on('disconnect', () => process.exit(0));
`,
);

function launch(name: string, mode = 'stay'): DelegateLaunch {
  return { entry: child, env: { PATH: process.env.PATH ?? '' }, args: [join(dir, `${name}.pid`), mode] };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits on a condition the child's own actions make true; the test's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

async function pidOf(name: string): Promise<number> {
  const file = join(dir, `${name}.pid`);
  await until(() => existsSync(file) && readFileSync(file, 'utf8') !== '');
  return Number(readFileSync(file, 'utf8'));
}

describe('a delegate forked before the core', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays its first message and its exit to the launch that takes it, though both came before anyone listened', async () => {
    const early = forkDelegateEarly(launch('replay', 'exit'));
    const pid = await pidOf('replay');
    await until(() => !isAlive(pid));

    const channel = early.spawn(launch('replay', 'exit'));
    expect(channel.pid).toBe(pid);
    const messages: unknown[] = [];
    channel.onMessage((message) => messages.push(message));
    const code = await new Promise((resolve) => channel.onExit(resolve));
    expect(messages).toEqual(['ready']);
    expect(code).toBe(3);
  });

  it('is killed when the command ends without taking it', async () => {
    const early = forkDelegateEarly(launch('discarded'));
    const pid = await pidOf('discarded');
    expect(isAlive(pid)).toBe(true);
    early.discard();
    await until(() => !isAlive(pid));
  });

  it('is killed and replaced when the supervisor asks for a different launch, and later launches fork afresh', async () => {
    const early = forkDelegateEarly(launch('first'));
    const firstPid = await pidOf('first');
    const second = early.spawn(launch('second'));
    expect(second.pid).not.toBe(firstPid);
    await until(() => !isAlive(firstPid));
    const third = early.spawn(launch('third'));
    expect(third.pid).not.toBe(second.pid);
    for (const channel of [second, third]) {
      const exited = new Promise((resolve) => channel.onExit(resolve));
      channel.kill();
      await exited;
    }
  });
});
