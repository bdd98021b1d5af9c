/**
 * Sealed values between the renderer (or CLI) and the delegate.
 *
 * HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and
 * AES-256-GCM. The info string names this format; the AAD binds the operation
 * ("purpose") and its bindings, so main cannot replay a sealed value into a
 * different operation. A batch of values travels as one sealed JSON array so
 * bulk work pays one key agreement per batch, not per value.
 *
 * This file runs in Node and in the browser: WebCrypto only, no Node imports.
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

export const SEAL_INFO = 'strongroom/seal/v1';
export const SEAL_SUITE = 'HPKE-Base/X25519-HKDF-SHA256/HKDF-SHA256/AES-256-GCM';

/** What a sealed message binds: the operation and the non-secret facts it applies to. */
export interface SealBinding {
  purpose: string;
  bindings: Record<string, unknown>;
}

/** A sealed message as it travels: both parts base64. */
export interface SealedMessage {
  enc: string;
  ct: string;
}

const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Deterministic JSON: object keys sorted at every depth, so both ends build identical AAD bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sealAad(binding: SealBinding): Uint8Array {
  return encoder.encode(canonicalJson({ purpose: binding.purpose, bindings: binding.bindings }));
}

export function toBase64(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) {
    binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A key pair that can receive sealed values: the delegate's per-launch key, or a requester's ephemeral key. */
export interface SealRecipient {
  publicKey: string;
  open(message: SealedMessage, binding: SealBinding): Promise<string[]>;
}

export async function createSealRecipient(): Promise<SealRecipient> {
  const keyPair = await suite.kem.generateKeyPair();
  const publicKey = toBase64(await suite.kem.serializePublicKey(keyPair.publicKey));
  return {
    publicKey,
    async open(message, binding) {
      const plaintext = await suite.open(
        { recipientKey: keyPair, enc: asArrayBuffer(fromBase64(message.enc)), info: asArrayBuffer(encoder.encode(SEAL_INFO)) },
        asArrayBuffer(fromBase64(message.ct)),
        asArrayBuffer(sealAad(binding)),
      );
      const parsed: unknown = JSON.parse(decoder.decode(plaintext));
      if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
        throw new Error('sealed payload is not a list of strings');
      }
      return parsed as string[];
    },
  };
}

/** Seals a batch of values to a recipient's public key, bound to one operation. */
export async function sealValues(recipientPublicKey: string, binding: SealBinding, values: string[]): Promise<SealedMessage> {
  const recipient = await suite.kem.deserializePublicKey(asArrayBuffer(fromBase64(recipientPublicKey)));
  const sealed = await suite.seal(
    { recipientPublicKey: recipient, info: asArrayBuffer(encoder.encode(SEAL_INFO)) },
    asArrayBuffer(encoder.encode(JSON.stringify(values))),
    asArrayBuffer(sealAad(binding)),
  );
  return { enc: toBase64(sealed.enc), ct: toBase64(sealed.ct) };
}

/**
 * The operations a sealed value may be bound to. Both ends build the binding
 * with these helpers so the AAD bytes agree.
 */
export const sealBindings = {
  vaultCreate: (): SealBinding => ({ purpose: 'vault.create', bindings: {} }),
  vaultUnlock: (): SealBinding => ({ purpose: 'vault.unlock', bindings: {} }),
  keyringRotate: (): SealBinding => ({ purpose: 'keyring.rotate', bindings: {} }),
  secretCreate: (names: string[]): SealBinding => ({ purpose: 'secret.create', bindings: { names } }),
  secretUpdate: (secretId: string): SealBinding => ({ purpose: 'secret.update', bindings: { secretId } }),
  secretReveal: (secretIds: string[]): SealBinding => ({ purpose: 'secret.reveal', bindings: { secretIds } }),
  backupExport: (): SealBinding => ({ purpose: 'backup.export', bindings: {} }),
  backupRestore: (): SealBinding => ({ purpose: 'backup.restore', bindings: {} }),
  /** A manager's configuration binds the manager's name; `managerConfig('')` a form's partial configuration for fetchOptions. */
  managerConfig: (name: string): SealBinding => ({ purpose: 'manager.config', bindings: { name } }),
  /** A private key and its passphrase typed into a form, sent only to be read: the delegate answers with the public fingerprint. */
  keyInspect: (): SealBinding => ({ purpose: 'key.inspect', bindings: {} }),
} as const;
