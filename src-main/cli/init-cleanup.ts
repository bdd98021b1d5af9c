/**
 * A refused `init` (a passphrase that is too short, a failed delegate) must
 * leave nothing behind. Opening the core creates the data folder, the
 * database and the logs before the passphrase is checked, so `init` notes
 * what did not exist yet and removes exactly that when it fails.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../core/paths.js';

/** The paths an `init` in this folder would create: the folder itself, or the files missing from it. */
export function pathsInitWouldCreate(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [dataDir];
  return [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, 'logs'].map((name) => join(dataDir, name)).filter((path) => !existsSync(path));
}

export function removeCreated(paths: string[]): void {
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}
