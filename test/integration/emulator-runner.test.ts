/** `npm run emulator -- <name>` starts one emulator alone and prints its endpoint and credentials as one JSON line. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/core-harness.js';

function firstLine(name: string): Promise<{ line: string; stop: () => void }> {
  const child = spawn(process.execPath, ['scripts/emulator.mjs', name], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${name} printed nothing`));
    }, 60_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ line, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}`));
    });
  });
}

describe('npm run emulator', () => {
  it.each(['aws', 'gcp', 'azure', 'vault', 'winrm'])('%s prints a loopback endpoint and test credentials', async (name) => {
    const { line, stop } = await firstLine(name);
    try {
      const printed = JSON.parse(line) as { endpoint: string; credentials?: unknown; accessToken?: string };
      expect(new URL(printed.endpoint).hostname).toMatch(/^(127\.0\.0\.1|localhost)$/);
      // Google's credentials are a bearer token and a service account, not a credentials object.
      expect(printed.credentials ?? printed.accessToken).toBeTruthy();
      const response = await fetch(printed.endpoint, { method: 'GET' }).catch(() => null);
      // Reachable, and it refuses an unauthenticated request rather than serving it.
      if (response) expect(response.status).toBeGreaterThanOrEqual(400);
    } finally {
      stop();
    }
  });

  it('refuses an unknown emulator with a usage message', async () => {
    await expect(firstLine('mainframe')).rejects.toThrow('exited with 2');
  });
});
