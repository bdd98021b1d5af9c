/**
 * Finds which optional tools (src-shared/optional-tools.ts) this machine has,
 * and turns an absent one into a typed MISSING_TOOL failure that names the
 * package to install, instead of an internal error.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type * as Kerberos from 'kerberos';
import { missingToolMessage, optionalToolIds, optionalTools, installHint, type OptionalToolId, type OptionalToolPresence } from '../../src-shared/optional-tools.js';
import { ConnectionFailure } from './report.js';

export function missingTool(id: OptionalToolId): ConnectionFailure {
  return new ConnectionFailure('MISSING_TOOL', missingToolMessage(id), { tool: optionalTools[id].name, install: installHint(id) });
}

/** The addon is an optional dependency: it is absent where it could not be built. */
export async function loadKerberosAddon(): Promise<typeof Kerberos> {
  try {
    return (await import('kerberos')).default;
  } catch {
    throw missingTool('kerberos-addon');
  }
}

async function onPath(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const names = process.platform === 'win32' ? [`${command}.exe`] : [command];
  for (const dir of dirs) {
    for (const name of names) {
      try {
        await access(join(dir, name), constants.X_OK);
        return true;
      } catch {
        // not in this folder
      }
    }
  }
  return false;
}

async function present(id: OptionalToolId): Promise<boolean> {
  if (id === 'kerberos-addon') {
    return loadKerberosAddon().then(
      () => true,
      () => false,
    );
  }
  const found = await Promise.all(optionalTools[id].commands.map(onPath));
  return found.every(Boolean);
}

export async function probeOptionalTools(): Promise<OptionalToolPresence> {
  const found = await Promise.all(optionalToolIds.map(present));
  return Object.fromEntries(optionalToolIds.map((id, index) => [id, found[index]])) as OptionalToolPresence;
}
