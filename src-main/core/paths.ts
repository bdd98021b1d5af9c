/**
 * The default data folder, the same one Electron's `app.getPath('userData')`
 * gives for the product name "Strongroom", so the CLI, the bridge and the
 * desktop app share one store.
 */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Strongroom';
export const DATABASE_FILE = 'strongroom.db';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
  }
}
