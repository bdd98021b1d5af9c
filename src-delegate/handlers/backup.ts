/** Exporting and restoring backups, a chunk at a time. */
import { z } from 'zod';
import { MIN_PASSPHRASE_LENGTH, sealBindings } from '../../src-shared/delegate-protocol.js';
import { encryptVersion } from '../envelope.js';
import { BackupSession, DamagedBackupError, WrongBackupPassphraseError, type BackupRecordPlain } from '../backup.js';
import { DelegateFailure } from '../delegate-failure.js';
import { openValues } from './stored-values.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

/** Remote versions travel through backups as their reference only, inside the version's meta. */
const remoteMetaSchema = z.strictObject({ reference: z.string().min(1).max(2048), versionId: z.string().min(1).max(256).nullable() });

export function backupHandlers(ctx: DelegateContext) {
  return {
    'backup.exportBegin': async (request) => {
      ctx.requireKeyring();
      const [passphrase] = await ctx.openSealed(request.sealed, sealBindings.backupExport());
      if (passphrase === undefined || passphrase.length < MIN_PASSPHRASE_LENGTH) {
        throw new DelegateFailure('WEAK_PASSPHRASE', `The export passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`);
      }
      ctx.exportSession?.wipe();
      ctx.exportSession = await BackupSession.forExport(passphrase);
      return { header: ctx.exportSession.header };
    },

    'backup.exportChunk': async (request) => {
      const keyring = ctx.requireKeyring();
      const session = requireSession(ctx.exportSession, 'export');
      const all = request.records.flatMap((record) => record.versions);
      const payloads = await openValues(ctx, keyring, all, request.managers, request.intermediateKeys, { skipRemote: true });
      let next = 0;
      const records: BackupRecordPlain[] = request.records.map((record) => ({
        meta: record.meta,
        versions: record.versions.map((version) => ({ address: version.address, meta: version.meta, payload: payloads[next++]! })),
      }));
      return { line: backupStep(() => session.sealChunk(request.index, records)) };
    },

    'backup.exportEnd': async (request) => {
      const session = requireSession(ctx.exportSession, 'export');
      const line = backupStep(() => session.sealEnd(request.chunks));
      session.wipe();
      ctx.exportSession = null;
      return { line };
    },

    'backup.restoreBegin': async (request) => {
      ctx.requireKeyring();
      const [passphrase] = await ctx.openSealed(request.sealed, sealBindings.backupRestore());
      ctx.restoreSession?.wipe();
      try {
        ctx.restoreSession = await BackupSession.forRestore(passphrase ?? '', request.header);
      } catch (error) {
        if (error instanceof WrongBackupPassphraseError) throw new DelegateFailure('WRONG_PASSPHRASE', error.message);
        throw error;
      }
      return {};
    },

    'backup.restoreChunk': async (request) => {
      const keyring = ctx.requireKeyring();
      const session = requireSession(ctx.restoreSession, 'restore');
      const records = backupStep(() => session.openChunk(request.index, request.line));
      return {
        records: records.map((record) => ({
          meta: record.meta,
          versions: record.versions.map((version) => {
            if (version.meta.remote !== undefined) {
              // A secret-store version: the backup kept only where the value lives.
              const remote = remoteMetaSchema.safeParse(version.meta.remote);
              if (!remote.success) throw new DelegateFailure('DECRYPT_FAILED', `Chunk ${request.index} of the backup names a remote value in a form this version does not know.`);
              return { address: version.address, meta: version.meta, encrypted: { ciphertext: '', wrappedKey: '', keyringVersion: keyring.currentVersion, remote: remote.data } };
            }
            ctx.trackPayload(version.payload);
            const known = !request.managerIds || version.address.managerId === 'local' || request.managerIds.includes(version.address.managerId);
            // A KMS manager that is not in this store: the value comes back into the built-in store.
            const address = known ? version.address : { ...version.address, managerId: 'local' };
            return { address, meta: version.meta, encrypted: encryptVersion(keyring, address, Buffer.from(version.payload, 'utf8')) };
          }),
        })),
      };
    },

    'backup.restoreEnd': async (request) => {
      const session = requireSession(ctx.restoreSession, 'restore');
      backupStep(() => session.openEnd(request.chunks, request.line));
      session.wipe();
      ctx.restoreSession = null;
      return {};
    },
  } satisfies Partial<DelegateHandlers>;
}

function requireSession(session: BackupSession | null, what: string): BackupSession {
  if (!session) throw new DelegateFailure('BAD_REQUEST', `No ${what} is in progress.`);
  return session;
}

function backupStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof DamagedBackupError) throw new DelegateFailure('DECRYPT_FAILED', error.message);
    throw error;
  }
}
