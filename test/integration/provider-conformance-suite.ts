/**
 * The conformance suite every secret-manager provider passes, against its emulator.
 *
 * Usage, one call per provider (see providers-conformance.test.ts):
 *
 *   describeProviderConformance('my-kind', async (defer) => {
 *     const emulator = await startMyEmulator();
 *     defer(() => emulator.close());            // runs after the suite, even when setup or a test fails
 *     return {
 *       role: 'secret-store',                   // or 'key-manager'
 *       provider: create(goodConfig, { retry: conformanceRetry }),
 *       wrongCredentials: create(badConfig, { retry: conformanceRetry }),
 *       faults: { throttleNext, serverErrorNext, clear, calls },
 *       ...role-specific fields (KeyManagerTarget / SecretStoreTarget below)
 *     };
 *   });
 *
 * Rules the suite relies on:
 * - every provider is built with `conformanceRetry`, so retry counts are known;
 * - `faults.calls()` counts requests of the provider's service only (not
 *   token or STS calls), failed and throttled ones included;
 * - names made by the suite are `conformance-<hex>`, valid in every store.
 *
 * What it checks: the capability facets its kind description promises (and
 * no others), round trips and versions, wrong credentials, not found,
 * throttling and 5xx recovery (and that retries stop), tampered ciphertext
 * (key managers) or a version that does not exist (stores), name and size
 * rules refused before any request, a read-only connection test, and that a
 * store never takes over or deletes what it did not write: a create over an
 * existing remote secret fails with EXISTS, adopting takes an explicit
 * overwrite, and a delete removes only Strongroom's versions.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type KeyManager, type ProviderErrorCode, type SecretStore } from '../../src-delegate/providers/provider.js';
import type { RetryPolicy } from '../../src-delegate/providers/retry.js';
import { capabilityMismatches } from '../../src-delegate/managers/capabilities.js';
import { managerKindSpec } from '../../src-shared/manager-kinds.js';

/** The retry policy every provider under test is built with: three attempts, millisecond backoff. */
export const conformanceRetry: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

export interface ConformanceFaults {
  /** Make the next `count` requests fail as throttled (429, ThrottlingException, RESOURCE_EXHAUSTED…), without a long Retry-After. */
  throttleNext(count: number): void;
  /** Make the next `count` requests fail with a 5xx. */
  serverErrorNext(count: number): void;
  /** Remove every injected fault. */
  clear(): void;
  /** Requests the server has received so far. */
  calls(): number;
}

interface CommonTarget<P> {
  /** Configured with working credentials. */
  provider: P;
  /** Same endpoint, credentials the server rejects (a wrong secret, an unknown token…). */
  wrongCredentials: P;
  faults: ConformanceFaults;
}

export interface KeyManagerTarget extends CommonTarget<KeyManager> {
  role: 'key-manager';
  /** Configured with a key that does not exist. */
  missingKey: KeyManager;
  /**
   * Rotates the key through the service's own API (AWS RotateKeyOnDemand, Cloud KMS CreateCryptoKeyVersion +
   * UpdateCryptoKeyPrimaryVersion); resolves to the key version wraps report from then on.
   */
  rotateKey?(): Promise<string>;
}

export interface SecretStoreTarget extends CommonTarget<SecretStore> {
  role: 'secret-store';
  /** Names this store refuses, each breaking a different rule. */
  invalidNames: string[];
  /** A well-formed reference to a secret that does not exist. */
  missingReference: string;
  /** A well-formed version id that no secret has. */
  missingVersionId: string;
  /** Creates a secret the way an admin would, outside Strongroom; returns a reference in the store's syntax and the value it must read. */
  seedReference(): Promise<{ reference: string; value: string }>;
  /** Write requests (create, update, delete) the server has received so far. */
  writeCalls(): number;
  /**
   * Writes a value where `put(name)` would write, the way an admin would, with the emulator's own API
   * outside Strongroom: a new secret, or a new version of one that is there.
   */
  writeOutside(name: string, value: string): Promise<void>;
}

export type ConformanceTarget = KeyManagerTarget | SecretStoreTarget;
export type Defer = (cleanup: () => unknown) => void;
type Skip = (note?: string) => never;

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome, 'expected the call to fail').toBeInstanceOf(ProviderError);
  return outcome as ProviderError;
}

async function expectCode(promise: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  const error = await rejection(promise);
  expect(error.code, error.message).toBe(code);
  return error;
}

const uniqueName = () => `conformance-${randomBytes(6).toString('hex')}`;

export function describeProviderConformance(name: string, setup: (defer: Defer) => Promise<ConformanceTarget>): void {
  describe(`provider conformance: ${name}`, () => {
    const cleanups: (() => unknown)[] = [];
    let target: ConformanceTarget;

    /** What a key manager's one request unwraps: an AWS wrap takes two requests (Encrypt, and Decrypt naming the key material). */
    let probe: Buffer;

    beforeAll(async () => {
      target = await setup((cleanup) => cleanups.push(cleanup));
      if (target.role === 'key-manager') probe = (await target.provider.wrapKey(randomBytes(32), { suite: 'faults' })).wrapped;
    });

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    // The role is known only once setup has run, so tests of the other role are skipped at run time, visibly.
    const keyManager = (skip: Skip): KeyManagerTarget => (target.role === 'key-manager' ? target : skip('not a key manager'));
    const store = (skip: Skip): SecretStoreTarget => (target.role === 'secret-store' ? target : skip('not a secret store'));
    /** One cheap request: an unwrap, or a read of a missing secret. */
    const oneRequest = () =>
      target.role === 'key-manager' ? target.provider.unwrapKey(probe, { suite: 'faults' }) : target.provider.get(target.missingReference).catch(ignoreNotFound);

    describe('common', () => {
      it('has the capability facets its kind description promises, and no others', () => {
        const spec = managerKindSpec(target.provider.kind);
        expect(spec, `no kind description for ${target.provider.kind}`).toBeDefined();
        expect(capabilityMismatches(spec!, target.provider)).toEqual([]);
      });

      it('passes its read-only connection test', async () => {
        const result = await target.provider.test();
        expect(result.ok, JSON.stringify(result.checks)).toBe(true);
        expect(result.checks.length).toBeGreaterThan(0);
        expect(result.checks.every((check) => check.detail.length > 0)).toBe(true);
      });

      it('reports wrong credentials as AUTH_FAILED, in calls and in its test', async () => {
        const call = target.role === 'key-manager' ? target.wrongCredentials.wrapKey(randomBytes(32), {}) : target.wrongCredentials.get(target.missingReference);
        await expectCode(call, 'AUTH_FAILED');
        const result = await target.wrongCredentials.test();
        expect(result.ok).toBe(false);
        expect(result.facts.errorCode).toBe('AUTH_FAILED');
      });

      it('recovers from throttling within its retry budget', async () => {
        await oneRequest();
        target.faults.throttleNext(conformanceRetry.attempts - 1);
        const before = target.faults.calls();
        await oneRequest();
        expect(target.faults.calls() - before).toBe(conformanceRetry.attempts);
      });

      it('recovers from a 5xx', async () => {
        target.faults.serverErrorNext(1);
        const before = target.faults.calls();
        await oneRequest();
        expect(target.faults.calls() - before).toBe(2);
      });

      it('stops retrying and reports THROTTLED when throttling persists', async () => {
        target.faults.throttleNext(conformanceRetry.attempts * 10);
        const before = target.faults.calls();
        try {
          const call = target.role === 'key-manager' ? target.provider.wrapKey(randomBytes(32), {}) : target.provider.get(target.missingReference);
          const error = await expectCode(call, 'THROTTLED');
          expect(error.extra.retryable).toBe(true);
          expect(target.faults.calls() - before).toBe(conformanceRetry.attempts);
        } finally {
          target.faults.clear();
        }
      });
    });

    describe('key manager', () => {
      it('wraps and unwraps key material, bound to its context', async ({ skip }) => {
        const km = keyManager(skip);
        const key = randomBytes(32);
        const context = { secret: 'a', version: '1' };
        const first = await km.provider.wrapKey(key, context);
        const second = await km.provider.wrapKey(key, context);
        expect(first.keyVersion.length).toBeGreaterThan(0);
        expect(first.wrapped.equals(second.wrapped)).toBe(false);
        expect((await km.provider.unwrapKey(first.wrapped, { version: '1', secret: 'a' })).equals(key)).toBe(true);
        await expectCode(km.provider.unwrapKey(first.wrapped, { secret: 'b', version: '1' }), 'INVALID');
        await expectCode(km.provider.unwrapKey(first.wrapped, {}), 'INVALID');
      });

      it('refuses tampered ciphertext as INVALID', async ({ skip }) => {
        const km = keyManager(skip);
        const { wrapped } = await km.provider.wrapKey(randomBytes(32), { secret: 't' });
        const tampered = Buffer.from(wrapped);
        tampered[tampered.length - 1]! ^= 0x01;
        await expectCode(km.provider.unwrapKey(tampered, { secret: 't' }), 'INVALID');
        await expectCode(km.provider.unwrapKey(wrapped.subarray(0, 8), { secret: 't' }), 'INVALID');
      });

      it('keeps unwrapping what older key versions wrapped', async ({ skip }) => {
        const km = keyManager(skip);
        if (!km.rotateKey) return skip('the emulator cannot rotate keys');
        const key = randomBytes(32);
        const before = await km.provider.wrapKey(key, { v: 'old' });
        const rotated = await km.rotateKey();
        const after = await km.provider.wrapKey(key, { v: 'new' });
        expect(after.keyVersion).toBe(rotated);
        expect(after.keyVersion).not.toBe(before.keyVersion);
        expect((await km.provider.unwrapKey(before.wrapped, { v: 'old' })).equals(key)).toBe(true);
        expect((await km.provider.unwrapKey(after.wrapped, { v: 'new' })).equals(key)).toBe(true);
      });

      it('reports a missing key as NOT_FOUND, in calls and in its test', async ({ skip }) => {
        const km = keyManager(skip);
        await expectCode(km.missingKey.wrapKey(randomBytes(32), {}), 'NOT_FOUND');
        const result = await km.missingKey.test();
        expect(result.ok).toBe(false);
        expect(result.facts.errorCode).toBe('NOT_FOUND');
      });

      it('refuses empty key material before any request', async ({ skip }) => {
        const km = keyManager(skip);
        const before = km.faults.calls();
        await expectCode(km.provider.wrapKey(Buffer.alloc(0), {}), 'INVALID');
        expect(km.faults.calls()).toBe(before);
      });
    });

    describe('secret store', () => {
      it('writes, reads and versions a value', async ({ skip }) => {
        const s = store(skip);
        const name = uniqueName();
        const first = await s.provider.put(name, 'first value ✓ – ü', 'create');
        expect(first.reference).toBe(s.provider.locate(name));
        const second = await s.provider.put(name, 'second value', 'overwrite');
        expect(second.reference).toBe(first.reference);
        expect(second.versionId).not.toBe(first.versionId);
        expect(await s.provider.get(first.reference)).toEqual({ value: 'second value', versionId: second.versionId });
        expect(await s.provider.get(first.reference, first.versionId)).toEqual({ value: 'first value ✓ – ü', versionId: first.versionId });
      });

      it('reports a missing secret and a missing version as NOT_FOUND', async ({ skip }) => {
        const s = store(skip);
        await expectCode(s.provider.get(s.missingReference), 'NOT_FOUND');
        await expectCode(s.provider.readReference(s.missingReference), 'NOT_FOUND');
        const { reference } = await s.provider.put(uniqueName(), 'value', 'create');
        await expectCode(s.provider.get(reference, s.missingVersionId), 'NOT_FOUND');
      });

      it('reads an existing secret by reference, without writing', async ({ skip }) => {
        const s = store(skip);
        const seeded = await s.seedReference();
        const writes = s.writeCalls();
        expect((await s.provider.readReference(seeded.reference)).value).toBe(seeded.value);
        expect(s.writeCalls()).toBe(writes);
      });

      it('deletes what it wrote', async ({ skip }) => {
        const s = store(skip);
        const name = uniqueName();
        const first = await s.provider.put(name, 'short-lived', 'create');
        const second = await s.provider.put(name, 'shorter-lived', 'overwrite');
        const deletion = await s.provider.delete(first.reference, { versions: [first.versionId, second.versionId], created: true });
        expect(deletion.removed).toBe('secret');
        await rejection(s.provider.get(first.reference));
      });

      it('refuses to create over a secret it did not write, leaving it as it was', async ({ skip }) => {
        const s = store(skip);
        const name = uniqueName();
        expect(await s.provider.exists(name)).toBe(false);
        await s.writeOutside(name, 'written by an admin');
        expect(await s.provider.exists(name)).toBe(true);
        const error = await expectCode(s.provider.put(name, 'would take it over', 'create'), 'EXISTS');
        expect(error.message).toContain(name);
        expect((await s.provider.get(s.provider.locate(name))).value).toBe('written by an admin');
      });

      it('adopts a secret only when told to, and its delete leaves what others wrote', async ({ skip }) => {
        const s = store(skip);
        const name = uniqueName();
        await s.writeOutside(name, 'written by an admin');
        const adopted = await s.provider.put(name, 'adopted value', 'overwrite');
        expect((await s.provider.get(adopted.reference)).value).toBe('adopted value');
        const deletion = await s.provider.delete(adopted.reference, { versions: [adopted.versionId], created: false });
        expect(deletion.removed).not.toBe('secret');
        expect(await s.provider.exists(name)).toBe(true);
        if (deletion.removed === 'versions') {
          // Only Strongroom's version went (Vault KV v2): the admin's is still there, and the latest readable value is no longer ours.
          const left = await s.provider.get(adopted.reference).catch((failure: unknown) => failure);
          expect(left instanceof ProviderError ? left.code : (left as { value: string }).value).not.toBe('adopted value');
        } else {
          expect((await s.provider.get(adopted.reference)).value).toBe('adopted value');
        }
      });

      it('keeps a secret it created when someone else wrote a version on top', async ({ skip }) => {
        const s = store(skip);
        const name = uniqueName();
        const mine = await s.provider.put(name, 'written by Strongroom', 'create');
        await s.writeOutside(name, 'written by an admin');
        const deletion = await s.provider.delete(mine.reference, { versions: [mine.versionId], created: true });
        expect(deletion.removed).not.toBe('secret');
        expect((await s.provider.get(mine.reference)).value).toBe('written by an admin');
      });

      it('refuses names that break its rules before any request', async ({ skip }) => {
        const s = store(skip);
        expect(s.invalidNames.length).toBeGreaterThan(0);
        expect(s.provider.checkName(uniqueName())).toBeNull();
        const before = s.faults.calls();
        for (const name of s.invalidNames) {
          expect(s.provider.checkName(name), name).toEqual(expect.any(String));
          await expectCode(s.provider.put(name, 'value', 'create'), 'INVALID');
        }
        expect(s.faults.calls()).toBe(before);
      });

      it('accepts a value of exactly its size limit and refuses one byte more before any request', async ({ skip }) => {
        const s = store(skip);
        const name = uniqueName();
        const before = s.faults.calls();
        await expectCode(s.provider.put(name, 'x'.repeat(s.provider.maxValueBytes + 1), 'create'), 'INVALID');
        // Multi-byte characters count as bytes, not characters.
        await expectCode(s.provider.put(name, 'é'.repeat(Math.floor(s.provider.maxValueBytes / 2) + 1), 'create'), 'INVALID');
        expect(s.faults.calls()).toBe(before);
        const largest = 'y'.repeat(s.provider.maxValueBytes);
        const { reference } = await s.provider.put(name, largest, 'create');
        expect((await s.provider.get(reference)).value).toBe(largest);
      });

      it('tests the connection without writing', async ({ skip }) => {
        const s = store(skip);
        const writes = s.writeCalls();
        expect((await s.provider.test()).ok).toBe(true);
        expect(s.writeCalls()).toBe(writes);
      });
    });
  });
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof ProviderError && error.code === 'NOT_FOUND')) throw error;
}
