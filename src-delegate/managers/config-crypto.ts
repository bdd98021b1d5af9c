/**
 * A manager's configuration at rest: AES-256-GCM under the current keyring
 * version, with the manager's id and kind as AAD, so a configuration copied to
 * another manager's row (or relabelled as another kind) does not open.
 */
import type { EncryptedConfig, ProviderKind } from '../../src-shared/delegate-protocol.js';
import type { Keyring } from '../keyring.js';
import { open, seal } from '../aead.js';

export const configAad = (managerId: string, kind: ProviderKind) => Buffer.from(['strongroom/manager-config/v1', managerId, kind].join('\0'), 'utf8');

export function encryptConfig(keyring: Keyring, managerId: string, kind: ProviderKind, json: string): EncryptedConfig {
  const keyringVersion = keyring.currentVersion;
  return { ciphertext: seal(keyring.masterKey(keyringVersion), Buffer.from(json, 'utf8'), configAad(managerId, kind)).toString('base64'), keyringVersion };
}

/** Throws AeadError when the configuration was altered or moved. */
export function decryptConfig(keyring: Keyring, managerId: string, kind: ProviderKind, encrypted: EncryptedConfig): string {
  const plain = open(keyring.masterKey(encrypted.keyringVersion), Buffer.from(encrypted.ciphertext, 'base64'), configAad(managerId, kind));
  try {
    return plain.toString('utf8');
  } finally {
    plain.fill(0);
  }
}
