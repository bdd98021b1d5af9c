/**
 * AES-256-GCM in the one byte layout every Strongroom blob uses:
 * `0x01 || nonce (12) || ciphertext || tag (16)` (docs/format.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const BLOB_FORMAT_VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class AeadError extends Error {}
/** The bytes are not a Strongroom blob at all (too short, unknown format byte): damage, not a wrong key. */
export class AeadFormatError extends AeadError {}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(BLOB_FORMAT_VERSION), nonce, body, cipher.getAuthTag()]);
}

export function open(key: Buffer, blob: Buffer, aad: Buffer): Buffer {
  if (blob.length < 1 + NONCE_BYTES + TAG_BYTES || blob[0] !== BLOB_FORMAT_VERSION) {
    throw new AeadFormatError('not a blob of a known format');
  }
  const nonce = blob.subarray(1, 1 + NONCE_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const body = blob.subarray(1 + NONCE_BYTES, blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new AeadError('authentication failed');
  }
}
