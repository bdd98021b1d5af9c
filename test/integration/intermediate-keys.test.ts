/**
 * Intermediate keys against real KMS providers and emulators: the KMS call
 * counts that are the point of the layer, rotation by count and age, the
 * cache's bounds, clearing on lock, and what binds a wrapped data key to its
 * secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import * as awsKms from '../../src-delegate/providers/aws-kms.js';
import * as gcpKms from '../../src-delegate/providers/gcp-kms.js';
import {
  IntermediateKeyCache,
  IntermediateKeys,
  intermediateKeyRecordSchema,
  kmsWrappedDataKeySchema,
  type IntermediateKeyRecord,
  type IntermediateKeysOptions,
} from '../../src-delegate/providers/intermediate-keys.js';
import { AeadError } from '../../src-delegate/aead.js';
import { ProviderError, type KeyManager } from '../../src-delegate/providers/provider.js';
import type { SecretAddress } from '../../src-shared/delegate-protocol.js';

const MANAGER = 'manager-aws';
let aws: AwsEmulator;
let keyManager: KeyManager;

beforeAll(async () => {
  aws = await startAwsEmulator();
  keyManager = awsKms.create({ region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials, keyArn: aws.keyArn });
});

afterAll(async () => {
  await aws?.close();
});

/** A settable clock: age limits are tested by moving time, never by waiting. */
function clock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function secrets(count: number, managerId = MANAGER) {
  return Array.from({ length: count }, () => ({
    dataKey: randomBytes(32),
    address: { secretId: randomUUID(), version: 1, type: 'text', managerId } satisfies SecretAddress,
  }));
}

const kmsCalls = () => aws.calls.count('kms:*');

function layer(options: Partial<IntermediateKeysOptions> = {}) {
  const cache = options.cache ?? new IntermediateKeyCache();
  return { cache, keys: new IntermediateKeys({ managerId: MANAGER, keyManager, cache, ...options }) };
}

describe('KMS calls', () => {
  it('reveals 1,000 secrets with at least 10x fewer KMS calls than one per secret', async () => {
    const items = secrets(1000);

    const direct = [];
    for (const item of items) direct.push(await keyManager.wrapKey(item.dataKey, { secret: item.address.secretId }));
    let before = kmsCalls();
    for (const [i, item] of items.entries()) await keyManager.unwrapKey(direct[i]!.wrapped, { secret: item.address.secretId });
    const directReveal = kmsCalls() - before;

    const { cache, keys } = layer();
    before = kmsCalls();
    const { records, wrapped } = await keys.wrapDataKeys(null, items);
    const createCalls = kmsCalls() - before;
    cache.clear(); // a fresh session: nothing cached
    before = kmsCalls();
    const opened = await keys.unwrapDataKeys(records, wrapped.map((w, i) => ({ wrapped: w, address: items[i]!.address })));
    const revealCalls = kmsCalls() - before;

    expect(opened.every((key, i) => key.equals(items[i]!.dataKey))).toBe(true);
    expect(directReveal).toBe(1000);
    // One wrap: Encrypt, and the Decrypt that names the key material.
    expect(createCalls).toBe(2);
    expect(revealCalls).toBe(1);
    expect(directReveal / revealCalls).toBeGreaterThanOrEqual(10);
  });

  it('unwraps an intermediate key once for concurrent reveals that share it', async () => {
    const items = secrets(50);
    const { cache, keys } = layer();
    const { records, wrapped } = await keys.wrapDataKeys(null, items);
    cache.clear();
    const before = kmsCalls();
    const batches = [0, 10, 20, 30, 40].map((start) =>
      keys.unwrapDataKeys(records, wrapped.slice(start, start + 10).map((w, i) => ({ wrapped: w, address: items[start + i]!.address }))),
    );
    await Promise.all(batches);
    expect(kmsCalls() - before).toBe(1);
  });
});

describe('rotation', () => {
  it('makes a new intermediate key every maxDataKeys data keys, carrying the count', async () => {
    const { keys } = layer({ rotation: { maxDataKeys: 10 } });
    const before = aws.calls.count('kms:Encrypt');
    const first = await keys.wrapDataKeys(null, secrets(25));
    expect(first.records.map((r) => r.useCount)).toEqual([10, 10, 5]);
    expect(aws.calls.count('kms:Encrypt') - before).toBe(3);
    const second = await keys.wrapDataKeys(first.records[2]!, secrets(7));
    expect(second.records.map((r) => [r.id === first.records[2]!.id, r.useCount])).toEqual([
      [true, 10],
      [false, 2],
    ]);
  });

  it('makes a new intermediate key once the current one is maxAgeMs old', async () => {
    const time = clock();
    const { keys } = layer({ rotation: { maxAgeMs: 24 * 3600_000 }, now: time.now });
    const { records } = await keys.wrapDataKeys(null, secrets(1));
    time.advance(24 * 3600_000 - 1);
    const still = await keys.wrapDataKeys(records[0]!, secrets(1));
    expect(still.records[0]!.id).toBe(records[0]!.id);
    time.advance(1);
    expect(keys.isCurrent(still.records[0]!)).toBe(false);
    const next = await keys.wrapDataKeys(still.records[0]!, secrets(1));
    expect(next.records.map((r) => r.id)).not.toContain(records[0]!.id);
  });

  it('records the KMS key version and rewraps under a rotated Cloud KMS key without touching data keys', async () => {
    const gcp: GcpKmsEmulator = await startGcpKmsEmulator();
    try {
      const gcpManager = gcpKms.create({ projectId: gcp.projectId, location: gcp.location, keyRing: gcp.keyRing, keyName: gcp.keyName, endpoint: gcp.endpoint, accessToken: gcp.accessToken });
      const cache = new IntermediateKeyCache();
      const keys = new IntermediateKeys({ managerId: MANAGER, keyManager: gcpManager, cache });
      const items = secrets(3);
      const { records, wrapped } = await keys.wrapDataKeys(null, items);
      expect(records[0]!.kmsKeyVersion).toBe(`${gcp.keyResourceName}/cryptoKeyVersions/1`);
      const newVersion = gcp.rotateKey();
      const rewrapped = await keys.rewrap(records[0]!);
      expect(rewrapped).toMatchObject({ id: records[0]!.id, useCount: 3, kmsKeyVersion: newVersion });
      gcp.setVersionState(`${gcp.keyResourceName}/cryptoKeyVersions/1`, 'DISABLED');
      cache.clear();
      const opened = await keys.unwrapDataKeys([rewrapped], wrapped.map((w, i) => ({ wrapped: w, address: items[i]!.address })));
      expect(opened.map((k) => k.toString('hex'))).toEqual(items.map((item) => item.dataKey.toString('hex')));
    } finally {
      await gcp.close();
    }
  });
});

describe('cache', () => {
  async function wrapped(count: number, cache: IntermediateKeyCache, options: Partial<IntermediateKeysOptions> = {}) {
    const { keys } = layer({ cache, ...options });
    const items = secrets(count);
    const result = await keys.wrapDataKeys(null, items);
    return { keys, items, ...result, reveal: () => keys.unwrapDataKeys(result.records, result.wrapped.map((w, i) => ({ wrapped: w, address: items[i]!.address }))) };
  }

  it('drops a key after maxUses uses, so the next use goes back to KMS', async () => {
    const cache = new IntermediateKeyCache({ maxUses: 100 });
    const setup = await wrapped(250, cache);
    // Wrapping 250 used the new key 250 times: it was dropped twice and unwrapped twice.
    cache.clear();
    const before = kmsCalls();
    await setup.reveal();
    expect(kmsCalls() - before).toBe(3);
  });

  it('drops a key after maxAgeMs', async () => {
    const time = clock();
    const cache = new IntermediateKeyCache({ maxAgeMs: 60_000 }, time.now);
    const setup = await wrapped(5, cache, { now: time.now });
    let before = kmsCalls();
    await setup.reveal();
    expect(kmsCalls() - before).toBe(0);
    time.advance(60_000);
    before = kmsCalls();
    await setup.reveal();
    expect(kmsCalls() - before).toBe(1);
  });

  it('holds at most maxEntries keys, dropping the least recently used', async () => {
    const cache = new IntermediateKeyCache({ maxEntries: 2 });
    const a = await wrapped(1, cache);
    const b = await wrapped(1, cache);
    await a.reveal();
    const c = await wrapped(1, cache);
    expect(cache.size).toBe(2);
    const before = kmsCalls();
    await a.reveal();
    await c.reveal();
    expect(kmsCalls() - before).toBe(0);
    await b.reveal();
    expect(kmsCalls() - before).toBe(1);
  });

  it('forgets everything on clear(), and discards an unwrap that finishes after it', async () => {
    const cache = new IntermediateKeyCache();
    const setup = await wrapped(3, cache);
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
    aws.setFaults({ latencyMs: 50 });
    try {
      const inFlight = setup.reveal();
      cache.clear();
      const error = await inFlight.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe('CONFLICT');
      expect(cache.size).toBe(0);
    } finally {
      aws.setFaults({});
    }
  });
});

describe('binding', () => {
  it('refuses a wrapped data key that was altered or moved to another secret', async () => {
    const { keys } = layer();
    const items = secrets(2);
    const { records, wrapped } = await keys.wrapDataKeys(null, items);
    const altered = Buffer.from(wrapped[0]!.wrapped, 'base64');
    altered[altered.length - 1]! ^= 1;
    await expect(keys.unwrapDataKeys(records, [{ wrapped: { ...wrapped[0]!, wrapped: altered.toString('base64') }, address: items[0]!.address }])).rejects.toBeInstanceOf(AeadError);
    await expect(keys.unwrapDataKeys(records, [{ wrapped: wrapped[0]!, address: items[1]!.address }])).rejects.toBeInstanceOf(AeadError);
    await expect(keys.unwrapDataKeys(records, [{ wrapped: wrapped[0]!, address: { ...items[0]!.address, version: 2 } }])).rejects.toBeInstanceOf(AeadError);
  });

  it('refuses an intermediate key of another manager, or one not supplied', async () => {
    const { keys } = layer();
    const items = secrets(1);
    const { records, wrapped } = await keys.wrapDataKeys(null, items);
    const foreign: IntermediateKeyRecord = { ...records[0]!, managerId: 'another-manager' };
    await expect(keys.unwrapDataKeys([foreign], [{ wrapped: wrapped[0]!, address: items[0]!.address }])).rejects.toThrow(/belongs to manager another-manager/);
    await expect(keys.unwrapDataKeys([], [{ wrapped: wrapped[0]!, address: items[0]!.address }])).rejects.toThrow(/was not supplied/);
  });

  it('cannot unwrap an intermediate key under another id: KMS checks the context', async () => {
    const { cache, keys } = layer();
    const items = secrets(1);
    const { records, wrapped } = await keys.wrapDataKeys(null, items);
    cache.clear();
    const renamed = { ...records[0]!, id: randomUUID() };
    const error = await keys.unwrapDataKeys([renamed], [{ wrapped: { ...wrapped[0]!, intermediateKeyId: renamed.id }, address: items[0]!.address }]).catch((e: unknown) => e);
    expect((error as ProviderError).code).toBe('INVALID');
  });

  it('persists as plain JSON that its schemas accept', async () => {
    const { keys } = layer();
    const { records, wrapped } = await keys.wrapDataKeys(null, secrets(2));
    const stored = JSON.parse(JSON.stringify({ records, wrapped }));
    expect(intermediateKeyRecordSchema.array().parse(stored.records)).toEqual(records);
    expect(kmsWrappedDataKeySchema.array().parse(stored.wrapped)).toEqual(wrapped);
    expect(records[0]!.kmsKeyVersion).toMatch(new RegExp(`^${aws.keyArn.replace(/[/.]/g, '\\$&')}#[0-9a-f]{64}$`));
  });
});
