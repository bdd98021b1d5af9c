/**
 * MACs over the fields of a `secrets` row that decide which value a consumer
 * gets (name, type, manager, current version, reference, remote name, usage
 * scope) and how long the audit trail was when it was written. Main keeps
 * the MAC beside the row; only the delegate holds the key, so a swapped name,
 * an edited version pointer or a widened scope is caught before the value is
 * used. The key is derived from the audit MAC key, which the keyring unwraps
 * and which outlives keyring rotation.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { SecretRowFields } from '../src-shared/delegate-protocol.js';
// From the zod-free module: the delegate's start loads this file before the contract (see main.ts).
import { canonicalJson } from '../src-shared/sealed-box.js';

export function rowMacKey(auditKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', auditKey, Buffer.alloc(0), 'strongroom/row-mac-key/v1', 32));
}

export function rowMac(key: Buffer, row: SecretRowFields): string {
  return createHmac('sha256', key).update(`strongroom/secret-row/v1\0${canonicalJson(row)}`).digest('base64');
}
