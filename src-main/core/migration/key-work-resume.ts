/**
 * Key work an earlier process left interrupted, resumed after the next unlock
 * by the app, the bridge and the session agent (docs/migration.md): a master
 * key rotation whose new version exists, and KMS re-wraps with their meta row
 * still set. Automatic rather than behind a Resume button, because resuming is
 * safe at any moment: it needs no passphrase (the new keyring version is
 * already stored and unlocked, the KMS key is the provider's), every step
 * replaces a row only if it still holds what was read, a re-wrap runs alone
 * for its manager, and ordinary reads and writes go on meanwhile. Each
 * resume is announced (`keys.resumed`) when it starts and when it ends, so
 * the user hears of work they did not start this session.
 */
import type { AppEvent } from '../../../src-shared/contract.js';
import { toAppError } from '../app-error.js';
import type { KeyringRotation } from './keyring-rotation.js';
import type { KmsRewrap } from './kms-rewrap.js';

type Announce = Omit<Extract<AppEvent, { type: 'keys.resumed' }>, 'type'>;

export class KeyWorkResumer {
  constructor(
    private readonly rotation: KeyringRotation,
    private readonly rewrap: KmsRewrap,
    private readonly emit: (event: AppEvent) => void,
    private readonly logError: (message: string, error: unknown) => void,
  ) {}

  /** Resumes each piece of interrupted work in turn; a failure is announced and logged, and the next unlock tries again. */
  async resumeInterrupted(): Promise<void> {
    if (this.rotation.interrupted()) {
      await this.resume({ work: 'keyring.rotate', managerId: null }, 'the interrupted master key rotation', 'Rotate the master key again to continue it.', async () => {
        const report = await this.rotation.resumeInterrupted();
        return report
          ? `Finished the interrupted master key rotation to version ${report.version}: ${report.dataKeys} data key(s) and ${report.configs} manager configuration(s) re-wrapped.`
          : null;
      });
    }
    for (const { managerId, name } of this.rewrap.interrupted()) {
      await this.resume({ work: 'managers.rewrap', managerId }, `the interrupted re-wrap of "${name}"`, `Re-wrap the keys of "${name}" again to continue.`, async () => {
        const report = await this.rewrap.rewrap(managerId);
        return `Finished the interrupted re-wrap of "${name}": ${report.rewrapped} wrapped key(s) now under ${report.keyVersion}.`;
      });
    }
  }

  private async resume(what: Pick<Announce, 'work' | 'managerId'>, title: string, retry: string, work: () => Promise<string | null>): Promise<void> {
    this.emit({ type: 'keys.resumed', ...what, state: 'started', message: `Continuing ${title}…` });
    try {
      const finished = await work();
      if (finished) this.emit({ type: 'keys.resumed', ...what, state: 'finished', message: finished });
    } catch (error) {
      this.logError(`resuming ${what.work} failed`, error);
      const failure = toAppError(error);
      // Locked meanwhile: the next unlock resumes it again, which is all there is to say.
      if (failure.code === 'LOCKED') return;
      this.emit({ type: 'keys.resumed', ...what, state: 'failed', message: `Could not finish ${title}: ${failure.message} ${retry}` });
    }
  }
}
