// The Node options a launch names (the benchmark's inspector) reach the forked delegate; a launch without them
// leaves the child with what fork gives by default, as before the option existed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkDelegate } from '../../src-main/core/delegate/node-delegate-channel.js';
import type { DelegateLaunch } from '../../src-main/core/delegate/delegate-channel.js';

const dir = mkdtempSync(join(tmpdir(), 'strongroom-delegate-exec-argv-'));
const child = join(dir, 'child.mjs');
writeFileSync(child, `process.send(JSON.stringify(process.execArgv));\nprocess.on('disconnect', () => process.exit(0));\nsetInterval(() => undefined, 60_000);\n`);

function execArgvOf(launch: DelegateLaunch): Promise<string[]> {
  const channel = forkDelegate(launch);
  return new Promise((resolve, reject) => {
    channel.onMessage((message) => {
      channel.kill();
      resolve(JSON.parse(message as string) as string[]);
    });
    channel.onExit((code) => reject(new Error(`the child exited with ${code} before it spoke`)));
  });
}

describe('forkDelegate and a launch’s Node options', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const launch: DelegateLaunch = { entry: child, env: { PATH: process.env.PATH ?? '' }, args: [] };

  it('starts the child with the options the launch names', async () => {
    expect(await execArgvOf({ ...launch, execArgv: ['--stack-size=900'] })).toEqual(['--stack-size=900']);
  });

  it('without them, gives the child this process’s options, as fork does', async () => {
    expect(await execArgvOf(launch)).toEqual(process.execArgv);
  });
});
