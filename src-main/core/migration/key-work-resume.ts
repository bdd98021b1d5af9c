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
 * the user hears of work they did not start this session, and kept in
 * KeyWorkStatus (`keys.status`), so it is still said after the toast: a
 * resume the store locked during is `waiting` there, quietly, until the next
 * unlock finishes it.
 */
import type { AppEvent } from '../../../src-shared/contract.js';
import type { KeyringRotation } from './keyring-rotation.js';
import type { KmsRewrap } from './kms-rewrap.js';
import { failedOutcome, type KeyWorkStatus, type KeyWorkWording } from './key-work-status.js';

type Announce = Omit<Extract<AppEvent, { type: 'keys.resumed' }>, 'type'>;

export class KeyWorkResumer {
  constructor(
    private readonly rotation: KeyringRotation,
    private readonly rewrap: KmsRewrap,
    private readonly status: KeyWorkStatus,
    private readonly emit: (event: AppEvent) => void,
    private readonly logError: (message: string, error: unknown) => void,
  ) {}

  /** Resumes each piece of interrupted work in turn; a failure is announced, kept in the status and logged, and the next unlock tries again. */
  async resumeInterrupted(): Promise<void> {
    if (this.rotation.interrupted()) {
      const title = 'the interrupted master key rotation';
      await this.resume({ work: 'keyring.rotate', managerId: null }, null, { running: `Continuing ${title}…`, title, retry: 'Rotate the master key again to continue it.' }, async () => {
        const report = await this.rotation.resumeInterrupted();
        return report
          ? `Finished the interrupted master key rotation to version ${report.version}: ${report.dataKeys} data key(s) and ${report.configs} manager configuration(s) re-wrapped.`
          : 'The interrupted master key rotation had already finished.';
      });
    }
    for (const { managerId, name } of this.rewrap.interrupted()) {
      const title = `the interrupted re-wrap of "${name}"`;
      await this.resume({ work: 'managers.rewrap', managerId }, name, { running: `Continuing ${title}…`, title, retry: `Re-wrap the keys of "${name}" again to continue.` }, async () => {
        const report = await this.rewrap.rewrap(managerId);
        return `Finished the interrupted re-wrap of "${name}": ${report.rewrapped} wrapped key(s) now under ${report.keyVersion}.`;
      });
    }
  }

  private async resume(what: Pick<Announce, 'work' | 'managerId'>, managerName: string | null, wording: KeyWorkWording, work: () => Promise<string>): Promise<void> {
    this.emit({ type: 'keys.resumed', ...what, state: 'started', message: wording.running });
    try {
      const finished = await this.status.track({ ...what, managerName, resumed: true }, wording, work, (message) => message);
      this.emit({ type: 'keys.resumed', ...what, state: 'finished', message: finished });
    } catch (error) {
      this.logError(`resuming ${what.work} failed`, error);
      const ended = failedOutcome(error, wording);
      // Locked meanwhile: the status says it waits for the next unlock, which resumes it again; no toast over the lock screen.
      if (ended.state === 'waiting') return;
      this.emit({ type: 'keys.resumed', ...what, state: 'failed', message: ended.message });
    }
  }
}
