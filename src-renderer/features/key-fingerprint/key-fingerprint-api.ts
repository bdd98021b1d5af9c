/**
 * Asks the delegate what a private key typed into a form is. The key and its
 * passphrase are sealed to the delegate here, so main relays them without
 * reading them, and only the public fingerprint comes back.
 */
import { sealBindings, sealValues, type KeyInspection } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { delegateKey } from '../../state/session.js';

export async function inspectKey(privateKey: string, passphrase: string): Promise<KeyInspection> {
  const sealedKey = await sealValues(await delegateKey(), sealBindings.keyInspect(), [privateKey, passphrase]);
  return call('secrets.inspectKey', { sealedKey });
}
