/**
 * Intermediate keys: the layer between per-secret data keys and a KMS key.
 *
 * Every secret version still gets its own data key (envelope.ts). For the KMS
 * kinds that data key is sealed locally (AES-256-GCM) by an intermediate key,
 * with the secret's address and the intermediate key's id as AAD, and only the
 * intermediate key goes to KMS to be wrapped. Revealing a thousand secrets then
 * costs one KMS Decrypt per intermediate key instead of one per secret.
 *
 * Bounds, as the AWS Encryption SDK's data-key caching bounds a cached key:
 * - an intermediate key wraps at most `maxDataKeys` data keys over at most
 *   `maxAgeMs`, then a new one is made (its record carries the count and age);
 * - unwrapped intermediate keys live only in the delegate's memory, in an
 *   IntermediateKeyCache bounded by age, uses and entries, and wiped by clear()
 *   when the store locks.
 *
 * Main persists what this module returns, as plain JSON (the schemas below):
 * one IntermediateKeyRecord per intermediate key, and per secret version a
 * KmsWrappedDataKey in place of the keyring-wrapped data key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SecretAddress } from '../../src-shared/delegate-protocol.js';
import { dataKeyAad } from '../envelope.js';
import { open, seal } from '../aead.js';
import { ProviderError, type KeyManager } from './provider.js';

const base64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

/** What main stores per intermediate key. */
export const intermediateKeyRecordSchema = z.strictObject({
  id: z.string().uuid(),
  managerId: z.string().min(1).max(64),
  /** The intermediate key as wrapped by KMS. */
  wrappedKey: base64(8192),
  /** The KMS key version that wrapped it: the key ARN for AWS KMS, the cryptoKeyVersion name for Cloud KMS. */
  kmsKeyVersion: z.string().min(1).max(512),
  /** Creation time, epoch milliseconds. */
  createdAt: z.number().int().min(0),
  /** Data keys this intermediate key has wrapped so far. */
  useCount: z.number().int().min(0),
});
export type IntermediateKeyRecord = z.infer<typeof intermediateKeyRecordSchema>;

/** What main stores per secret version instead of a keyring-wrapped data key. */
export const kmsWrappedDataKeySchema = z.strictObject({
  intermediateKeyId: z.string().uuid(),
  /** The data key sealed by the intermediate key (aead.ts layout). */
  wrapped: base64(256),
});
export type KmsWrappedDataKey = z.infer<typeof kmsWrappedDataKeySchema>;

export interface RotationPolicy {
  /** Data keys one intermediate key may wrap (default 1,000). */
  maxDataKeys: number;
  /** How long an intermediate key may keep wrapping new data keys (default 24 h). It unwraps old ones forever. */
  maxAgeMs: number;
}

export interface CacheLimits {
  /** How long an unwrapped key may stay in memory (default 10 min). */
  maxAgeMs: number;
  /** Wraps and unwraps one cached key may serve before it is dropped (default 10,000). */
  maxUses: number;
  /** Unwrapped keys held at once; the least recently used goes first (default 32). */
  maxEntries: number;
}

export const DEFAULT_ROTATION: RotationPolicy = { maxDataKeys: 1000, maxAgeMs: 24 * 60 * 60 * 1000 };
export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxAgeMs: 10 * 60 * 1000, maxUses: 10_000, maxEntries: 32 };

const KEY_BYTES = 32;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) throw new RangeError(`${name} must be at least 1`);
  return value;
}

interface CacheEntry {
  key: Buffer;
  cachedAt: number;
  uses: number;
}

/**
 * Unwrapped intermediate keys, in memory only. One per delegate, shared by
 * every KMS manager (ids are unique), cleared on lock.
 */
export class IntermediateKeyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly limits: CacheLimits;
  private epoch = 0;

  constructor(
    limits: Partial<CacheLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    const merged = { ...DEFAULT_CACHE_LIMITS, ...limits };
    this.limits = { maxAgeMs: positive('maxAgeMs', merged.maxAgeMs), maxUses: positive('maxUses', merged.maxUses), maxEntries: positive('maxEntries', merged.maxEntries) };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Changes on every clear(), so an unwrap that finishes after a lock is discarded instead of cached. */
  get generation(): number {
    return this.epoch;
  }

  has(id: string): boolean {
    const entry = this.entries.get(id);
    if (entry && this.now() - entry.cachedAt >= this.limits.maxAgeMs) this.evict(id);
    return this.entries.has(id);
  }

  /**
   * One use of a cached key, or null. The caller gets its own copy and wipes
   * it: the cached buffer may be wiped by another caller's last use while the
   * first is still awaiting.
   */
  use(id: string): Buffer | null {
    if (!this.has(id)) return null;
    const entry = this.entries.get(id)!;
    entry.uses++;
    const copy = Buffer.from(entry.key);
    if (entry.uses >= this.limits.maxUses) {
      this.evict(id);
    } else {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return copy;
  }

  /** Takes ownership of `key`; drops it if the cache was cleared since `generation` was read. */
  store(id: string, key: Buffer, generation: number): void {
    if (generation !== this.epoch) {
      key.fill(0);
      return;
    }
    this.evict(id);
    this.entries.set(id, { key, cachedAt: this.now(), uses: 0 });
    while (this.entries.size > this.limits.maxEntries) this.evict(this.entries.keys().next().value!);
  }

  /** Wipes and forgets every key. Call on lock. */
  clear(): void {
    for (const entry of this.entries.values()) entry.key.fill(0);
    this.entries.clear();
    this.epoch++;
  }

  private evict(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.key.fill(0);
    this.entries.delete(id);
  }
}

/** The KMS encryption context of an intermediate key: a wrapped key moved to another id or manager will not unwrap. */
function kmsContext(managerId: string, id: string): Record<string, string> {
  return { 'strongroom:purpose': 'intermediate-key', 'strongroom:manager': managerId, 'strongroom:intermediate-key': id };
}

function sealAad(intermediateKeyId: string, address: SecretAddress): Buffer {
  return Buffer.concat([Buffer.from(`strongroom/intermediate/v1\0${intermediateKeyId}\0`, 'utf8'), dataKeyAad(address)]);
}

export interface IntermediateKeysOptions {
  managerId: string;
  keyManager: KeyManager;
  cache: IntermediateKeyCache;
  rotation?: Partial<RotationPolicy>;
  now?: () => number;
}

/** Intermediate keys of one KMS manager. Main must not run two wrapDataKeys for the same manager at once, or both may count from the same record. */
export class IntermediateKeys {
  private readonly managerId: string;
  private readonly keyManager: KeyManager;
  private readonly cache: IntermediateKeyCache;
  private readonly rotation: RotationPolicy;
  private readonly now: () => number;
  private readonly unwrapping = new Map<string, Promise<void>>();

  constructor(options: IntermediateKeysOptions) {
    this.managerId = options.managerId;
    this.keyManager = options.keyManager;
    this.cache = options.cache;
    const merged = { ...DEFAULT_ROTATION, ...options.rotation };
    this.rotation = { maxDataKeys: positive('maxDataKeys', merged.maxDataKeys), maxAgeMs: positive('maxAgeMs', merged.maxAgeMs) };
    this.now = options.now ?? Date.now;
  }

  /** Whether `record` may still wrap new data keys. */
  isCurrent(record: IntermediateKeyRecord): boolean {
    return record.useCount < this.rotation.maxDataKeys && this.now() - record.createdAt < this.rotation.maxAgeMs;
  }

  /**
   * Seals each data key under the current intermediate key, making a new one
   * (one KMS wrap) whenever the current one reaches its bounds. `current` is
   * the newest record main holds for this manager, or null. Returns every
   * record that was created or whose count changed (main upserts them by id)
   * and one KmsWrappedDataKey per item, in order.
   */
  async wrapDataKeys(
    current: IntermediateKeyRecord | null,
    items: { dataKey: Buffer; address: SecretAddress }[],
  ): Promise<{ records: IntermediateKeyRecord[]; wrapped: KmsWrappedDataKey[] }> {
    const generation = this.cache.generation;
    let record = current ? { ...this.own(current) } : null;
    const touched = new Map<string, IntermediateKeyRecord>();
    const wrapped: KmsWrappedDataKey[] = [];
    for (const item of items) {
      if (!record || !this.isCurrent(record)) record = await this.createIntermediate(generation);
      touched.set(record.id, record);
      const key = await this.useKey(record, generation);
      try {
        wrapped.push({ intermediateKeyId: record.id, wrapped: seal(key, item.dataKey, sealAad(record.id, item.address)).toString('base64') });
      } finally {
        key.fill(0);
      }
      record.useCount++;
    }
    return { records: [...touched.values()], wrapped };
  }

  /**
   * Opens each wrapped data key. `records` must hold every intermediate key
   * the items name. Uncached intermediate keys are unwrapped by KMS in
   * parallel, once each however many items share them. A data key that fails
   * authentication (altered, or moved to another address) throws AeadError,
   * as envelope.ts does. The caller wipes the returned keys.
   */
  async unwrapDataKeys(records: IntermediateKeyRecord[], items: { wrapped: KmsWrappedDataKey; address: SecretAddress }[]): Promise<Buffer[]> {
    const generation = this.cache.generation;
    const byId = new Map(records.map((record) => [record.id, this.own(record)]));
    const recordFor = (id: string) => {
      const record = byId.get(id);
      if (!record) throw new ProviderError('INVALID', `Intermediate key ${id} was not supplied.`);
      return record;
    };
    const needed = [...new Set(items.map((item) => item.wrapped.intermediateKeyId))].map(recordFor);
    await Promise.all(needed.filter((record) => !this.cache.has(record.id)).map((record) => this.unwrapIntoCache(record)));
    const keys: Buffer[] = [];
    try {
      for (const item of items) {
        const record = recordFor(item.wrapped.intermediateKeyId);
        const key = await this.useKey(record, generation);
        try {
          keys.push(open(key, Buffer.from(item.wrapped.wrapped, 'base64'), sealAad(record.id, item.address)));
        } finally {
          key.fill(0);
        }
      }
      return keys;
    } catch (error) {
      for (const key of keys) key.fill(0);
      throw error;
    }
  }

  /**
   * Wraps an intermediate key again under the KMS key's current version, so
   * an old KMS key version can be retired without touching any secret. Returns
   * the updated record (same id and count); main replaces the stored one.
   */
  async rewrap(record: IntermediateKeyRecord): Promise<IntermediateKeyRecord> {
    const own = this.own(record);
    const key = await this.useKey(own, this.cache.generation);
    try {
      const { wrapped, keyVersion } = await this.keyManager.wrapKey(key, kmsContext(this.managerId, own.id));
      return { ...own, wrappedKey: wrapped.toString('base64'), kmsKeyVersion: keyVersion };
    } finally {
      key.fill(0);
    }
  }

  private own(record: IntermediateKeyRecord): IntermediateKeyRecord {
    const parsed = intermediateKeyRecordSchema.parse(record);
    if (parsed.managerId !== this.managerId) throw new ProviderError('INVALID', `Intermediate key ${parsed.id} belongs to manager ${parsed.managerId}, not ${this.managerId}.`);
    return parsed;
  }

  private async createIntermediate(generation: number): Promise<IntermediateKeyRecord> {
    const id = randomUUID();
    const key = randomBytes(KEY_BYTES);
    try {
      const { wrapped, keyVersion } = await this.keyManager.wrapKey(key, kmsContext(this.managerId, id));
      this.cache.store(id, Buffer.from(key), generation);
      return { id, managerId: this.managerId, wrappedKey: wrapped.toString('base64'), kmsKeyVersion: keyVersion, createdAt: this.now(), useCount: 0 };
    } finally {
      key.fill(0);
    }
  }

  /**
   * A copy of the unwrapped key for one use, unwrapping through KMS when it is
   * not cached. An operation that spans a clear() fails rather than carrying
   * on after the lock with keys fetched anew.
   */
  private async useKey(record: IntermediateKeyRecord, generation: number): Promise<Buffer> {
    for (;;) {
      if (this.cache.generation !== generation) throw new ProviderError('CONFLICT', 'The store was locked while intermediate keys were in use.');
      const key = this.cache.use(record.id);
      if (key) return key;
      await this.unwrapIntoCache(record);
    }
  }

  /** One KMS unwrap per intermediate key at a time, however many callers need it. */
  private unwrapIntoCache(record: IntermediateKeyRecord): Promise<void> {
    let pending = this.unwrapping.get(record.id);
    if (!pending) {
      const generation = this.cache.generation;
      pending = this.keyManager
        .unwrapKey(Buffer.from(record.wrappedKey, 'base64'), kmsContext(this.managerId, record.id))
        .then((key) => {
          if (key.length !== KEY_BYTES) {
            key.fill(0);
            throw new ProviderError('INVALID', `Intermediate key ${record.id} unwrapped to ${key.length} bytes, not ${KEY_BYTES}.`);
          }
          this.cache.store(record.id, key, generation);
        })
        .finally(() => this.unwrapping.delete(record.id));
      this.unwrapping.set(record.id, pending);
    }
    return pending;
  }
}
