/** The delegate's greeting, and creating, unlocking and reporting the keyring. */
import { MIN_PASSPHRASE_LENGTH, SEAL_SUITE, sealBindings } from '../../src-shared/delegate-protocol.js';
import { DamagedKeyringError, Keyring, WrongPassphraseError, deriveKek } from '../keyring.js';
import { DelegateFailure } from '../delegate-failure.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

export function keyringHandlers(ctx: DelegateContext) {
  return {
    hello: async () => ({ publicKey: ctx.recipient.publicKey, suite: SEAL_SUITE, pid: process.pid }),

    'keyring.create': async (request) => {
      const [passphrase] = await ctx.openSealed(request.sealed, sealBindings.vaultCreate());
      if (passphrase === undefined || passphrase.length < MIN_PASSPHRASE_LENGTH) {
        throw new DelegateFailure('WEAK_PASSPHRASE', `The passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`);
      }
      const created = await Keyring.create(passphrase);
      ctx.lock();
      ctx.keyring = created.keyring;
      // lock() forgot every tracked value, this passphrase too: it must stay masked.
      ctx.trackValue(passphrase);
      ctx.log.write('info', 'keyring created', { keyringVersion: 1 });
      return { keyring: created.entry, auditKey: created.auditKey };
    },

    'keyring.unlock': async (request) => {
      const [passphrase] = await ctx.openSealed(request.sealed, sealBindings.vaultUnlock());
      if (passphrase === undefined) throw new DelegateFailure('BAD_REQUEST', 'No passphrase was sealed.');
      try {
        let preparedTaken = 0;
        const keyring = await Keyring.unlock(passphrase, request.keyring, request.auditKey, (given, kdf) => {
          const prepared = ctx.preparedUnlocks.take(given, kdf);
          if (!prepared) return deriveKek(given, kdf);
          preparedTaken++;
          return prepared;
        });
        // Defaults that rose since a version was written apply from this unlock on: main stores the re-wrapped versions.
        const raisedKdf = await keyring.raiseKdf(passphrase, request.keyring);
        ctx.lock();
        ctx.keyring = keyring;
        ctx.trackValue(passphrase);
        ctx.log.write('info', 'unlocked', { keyringVersion: keyring.currentVersion, raisedKdf: raisedKdf.length, derivedAhead: preparedTaken });
        return { keyringVersion: keyring.currentVersion, raisedKdf };
      } catch (error) {
        if (error instanceof WrongPassphraseError) {
          ctx.log.write('warn', 'unlock failed: wrong passphrase');
          throw new DelegateFailure('WRONG_PASSPHRASE', 'Wrong passphrase.');
        }
        if (error instanceof DamagedKeyringError) {
          ctx.log.write('error', 'unlock failed: damaged key blob', { error: error.message });
          throw new DelegateFailure('DECRYPT_FAILED', error.message);
        }
        throw error;
      }
    },

    'keyring.status': async () => ({ unlocked: ctx.keyring !== null }),
  } satisfies Partial<DelegateHandlers>;
}
