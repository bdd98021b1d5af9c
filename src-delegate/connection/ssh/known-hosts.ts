/**
 * Host keys: the store abstraction main serves, OpenSSH-compatible
 * fingerprints, and the known/new/changed verdict.
 *
 * The store is main's: it passes the entries it holds for the target in, and
 * the report carries the key the server presented (handshake stage) so main
 * can persist it once the user accepts it. A fingerprint here is exactly what
 * `ssh-keygen -lf` prints: `SHA256:` and the unpadded base64 of the SHA-256 of
 * the key blob.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ConnectionReport } from '../../../src-shared/connection-report.js';

export const knownHostKeySchema = z.strictObject({
  /** The key blob's type as in known_hosts: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`… */
  keyType: z.string().min(1).max(64).regex(/^[a-z0-9@.-]+$/),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected an OpenSSH SHA256 fingerprint'),
});
export type KnownHostKey = z.infer<typeof knownHostKeySchema>;

/** The keys the user has accepted for a host and port. */
export interface KnownHosts {
  lookup(host: string, port: number): Promise<KnownHostKey[]> | KnownHostKey[];
}

export type HostKeyStatus = 'known' | 'new' | 'changed';

export interface SeenHostKey extends KnownHostKey {
  /** The key blob in base64, as a known_hosts line carries it. */
  publicKey: string;
}

/** A store over entries main already looked up, e.g. the ones that came with the request. */
export function knownHostsFrom(entries: readonly (KnownHostKey & { host: string; port: number })[]): KnownHosts {
  return {
    lookup: (host, port) =>
      entries.filter((entry) => entry.host === host && entry.port === port).map(({ keyType, fingerprint }) => ({ keyType, fingerprint })),
  };
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Reads the type name that opens every SSH public key blob (a uint32 length, then the name). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short');
  const length = blob.readUInt32BE(0);
  if (length > 64 || blob.length < 4 + length) throw new Error('malformed host key blob');
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function seenHostKeyOf(blob: Buffer): SeenHostKey {
  return { keyType: keyTypeOf(blob), fingerprint: fingerprintOf(blob), publicKey: blob.toString('base64') };
}

/**
 * Known when a stored key matches; new when nothing is stored for the host;
 * changed otherwise, including a key of a type never stored for a host that
 * has stored keys, because an attacker would present exactly that.
 */
export function judgeHostKey(seen: KnownHostKey, known: readonly KnownHostKey[]): HostKeyStatus {
  if (known.length === 0) return 'new';
  return known.some((key) => key.keyType === seen.keyType && key.fingerprint === seen.fingerprint) ? 'known' : 'changed';
}

/** The signature algorithms a host key of this type can negotiate. */
export function hostKeyAlgorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * The algorithms to offer, those of the stored key types first: a server
 * picks the first one it has, so a host that still holds the stored key
 * shows it and fingerprints compare like with like. A host that lost it
 * shows another type, which `judgeHostKey` calls changed, with both
 * fingerprints in one connection.
 */
export function preferredHostKeyAlgorithms(known: readonly KnownHostKey[]): string[] {
  const preferred = known.flatMap((key) => hostKeyAlgorithmsFor(key.keyType)).filter((name) => DEFAULT_HOST_KEY_ALGORITHMS.includes(name));
  return [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}

/** One known_hosts line for the system client, in its `[host]:port` form for ports other than 22. */
export function knownHostsLine(host: string, port: number, key: SeenHostKey): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${key.keyType} ${key.publicKey}\n`;
}

/** The key a report's handshake saw, for main to persist after the user accepts it. */
export function seenHostKey(report: ConnectionReport): SeenHostKey | null {
  const details = report.stages.find((stage) => stage.stage === 'handshake')?.details;
  const { hostKeyType, fingerprint, publicKey } = details ?? {};
  if (typeof hostKeyType !== 'string' || typeof fingerprint !== 'string' || typeof publicKey !== 'string') return null;
  return { keyType: hostKeyType, fingerprint, publicKey };
}
