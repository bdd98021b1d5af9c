/**
 * A 0700 folder for one test's secrets (keys, certificates, the ticket cache,
 * krb5.conf, known_hosts), each file 0600, all removed when the test ends.
 * The system tools read secrets from here, never from their command lines
 * or environments.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class PrivateDir {
  private constructor(readonly path: string) {}

  /** mkdtemp creates the folder with mode 0700. */
  static async create(): Promise<PrivateDir> {
    return new PrivateDir(await mkdtemp(join(tmpdir(), 'strongroom-ssh-')));
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /** Writes a new 0600 file; refuses to follow or replace anything already there. */
  async write(name: string, content: string | Buffer): Promise<string> {
    const path = this.file(name);
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
    return path;
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
