/**
 * Master key rotation inside the delegate (docs/migration.md): a new keyring
 * version under the same passphrase, then data keys and manager
 * configurations re-wrapped under it, batch by batch as main asks. Keys and
 * configurations are opened here only; main stores what comes back.
 */
import type { DelegateRequest, DelegateResult, SealBinding, SealedMessage } from '../src-shared/delegate-protocol.js';
import { sealBindings } from '../src-shared/delegate-protocol.js';
import { AeadError, open, seal } from './aead.js';
import { dataKeyAad } from './envelope.js';
import { WrongPassphraseError, type Keyring } from './keyring.js';
import { decryptConfig, encryptConfig } from './managers/config-crypto.js';

type Request<Op extends string> = Extract<DelegateRequest, { op: Op }>;

export interface RotationDeps {
  requireKeyring(): Keyring;
  openSealed(sealed: SealedMessage, binding: SealBinding): Promise<string[]>;
  fail(code: 'BAD_REQUEST' | 'DECRYPT_FAILED' | 'WRONG_PASSPHRASE', message: string): Error;
}

export function createRotationHandlers(deps: RotationDeps) {
  return {
    'keyring.rotate': async (request: Request<'keyring.rotate'>): Promise<DelegateResult<'keyring.rotate'>> => {
      const keyring = deps.requireKeyring();
      const [passphrase] = await deps.openSealed(request.sealed, sealBindings.keyringRotate());
      if (passphrase === undefined) throw deps.fail('BAD_REQUEST', 'No passphrase was sealed.');
      if (request.current.version >= request.version) throw deps.fail('BAD_REQUEST', 'The new keyring version must be newer than the current one.');
      try {
        const { entry, auditKey } = await keyring.addVersion(passphrase, request.current, request.version);
        return { keyring: entry, auditKey };
      } catch (error) {
        if (error instanceof WrongPassphraseError) throw deps.fail('WRONG_PASSPHRASE', 'Wrong passphrase.');
        throw error;
      }
    },

    'keyring.rewrap': async (request: Request<'keyring.rewrap'>): Promise<DelegateResult<'keyring.rewrap'>> => {
      const keyring = deps.requireKeyring();
      const version = keyring.currentVersion;
      const dataKeys = request.dataKeys.map(({ address, wrapped }) => {
        let dataKey: Buffer;
        try {
          dataKey = open(keyring.masterKey(wrapped.keyringVersion), Buffer.from(wrapped.wrapped, 'base64'), dataKeyAad(address));
        } catch (error) {
          if (error instanceof AeadError) throw deps.fail('DECRYPT_FAILED', `The data key of secret ${address.secretId} version ${address.version} failed authentication: it was altered or moved.`);
          throw error;
        }
        try {
          return { keyringVersion: version, wrapped: seal(keyring.masterKey(version), dataKey, dataKeyAad(address)).toString('base64') };
        } finally {
          dataKey.fill(0);
        }
      });
      const configs = request.configs.map(({ managerId, kind, config }) => {
        try {
          return encryptConfig(keyring, managerId, kind, decryptConfig(keyring, managerId, kind, config));
        } catch (error) {
          if (error instanceof AeadError) throw deps.fail('DECRYPT_FAILED', `The stored configuration of manager ${managerId} failed authentication: it was altered or moved.`);
          throw error;
        }
      });
      return { dataKeys, configs };
    },
  };
}
