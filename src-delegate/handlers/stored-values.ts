/**
 * Opening stored versions and storing new ones, in whichever manager holds
 * them: the built-in store, a KMS manager, or a secret store.
 */
import type { EncryptedVersion, IntermediateKeyRecord, ManagerContext, SecretAddress } from '../../src-shared/delegate-protocol.js';
import type { Keyring } from '../keyring.js';
import { decryptVersion, encryptVersion, newDataKey, openValue, sealValue } from '../envelope.js';
import { ProviderError, type SecretStore, type WriteMode } from '../providers/provider.js';
import { AeadError } from '../aead.js';
import { DelegateFailure, typedFailure } from '../delegate-failure.js';
import type { DelegateContext } from './context.js';

/** A stored version as main sends it. */
type Stored = { address: SecretAddress; encrypted: EncryptedVersion };

/** A value on its way into a manager. */
type Outgoing = { address: SecretAddress; payload: string; remoteName?: string | undefined; remoteMode?: WriteMode | undefined };

/** Reads from a secret store in parallel, but not without bound. */
const REMOTE_CONCURRENCY = 8;

/** Runs one provider call of a manager: a migration's in-flight limit per manager (managers/in-flight-limiter.ts), or at once. */
export type ProviderGate = <T>(managerId: string, call: () => Promise<T>) => Promise<T>;
const ungated: ProviderGate = (_managerId, call) => call();

/** Decrypts one stored version, turning an authentication failure into a typed error. */
function decrypt(ctx: DelegateContext, keyring: Keyring, item: { address: SecretAddress; encrypted: EncryptedVersion }): string {
  try {
    const value = decryptVersion(keyring, item.address, item.encrypted).toString('utf8');
    ctx.trackPayload(value);
    return value;
  } catch (error) {
    if (error instanceof AeadError) {
      ctx.log.write('error', 'decryption failed: ciphertext, data key or address does not match', { secretId: item.address.secretId, version: item.address.version });
      throw new DelegateFailure('DECRYPT_FAILED', `Secret ${item.address.secretId} version ${item.address.version} failed authentication: it was altered or moved.`);
    }
    throw error;
  }
}

/**
 * Opens stored versions of any manager: keyring-wrapped data keys here,
 * KMS-wrapped ones through the manager's intermediate keys (one KMS call per
 * uncached intermediate key), and remote versions read from their store.
 * With `skipRemote`, remote versions come back as '' (backups keep only their reference).
 */
export async function openValues(
  ctx: DelegateContext,
  keyring: Keyring,
  items: Stored[],
  managers: ManagerContext[],
  records: IntermediateKeyRecord[],
  options: { skipRemote?: boolean; gate?: ProviderGate } = {},
): Promise<string[]> {
  const gate = options.gate ?? ungated;
  const out: string[] = new Array<string>(items.length).fill('');
  const contexts = new Map(managers.map((manager) => [manager.id, manager]));
  const contextOf = (managerId: string) => {
    const context = contexts.get(managerId);
    if (!context) throw new DelegateFailure('BAD_REQUEST', `Manager ${managerId} was not supplied with the request.`);
    return context;
  };
  const kms = new Map<string, number[]>();
  const remote: number[] = [];
  items.forEach((item, i) => {
    if (item.encrypted.remote) remote.push(i);
    else if (item.encrypted.intermediateKeyId) kms.set(item.address.managerId, [...(kms.get(item.address.managerId) ?? []), i]);
    else out[i] = decrypt(ctx, keyring, item);
  });
  for (const [managerId, indexes] of kms) {
    const { intermediate } = ctx.managers.keyManager(keyring, contextOf(managerId));
    let keys: Buffer[];
    try {
      keys = await intermediate.unwrapDataKeys(
        records.filter((record) => record.managerId === managerId),
        indexes.map((i) => ({ wrapped: { intermediateKeyId: items[i]!.encrypted.intermediateKeyId!, wrapped: items[i]!.encrypted.wrappedKey }, address: items[i]!.address })),
      );
    } catch (error) {
      if (error instanceof AeadError) throw tampered(ctx, items[indexes[0]!]!.address, 'a data key failed authentication under its intermediate key');
      // KMS refuses a wrapped intermediate key that was altered, or moved to another id or manager, as invalid ciphertext.
      if (error instanceof ProviderError && error.code === 'INVALID') throw tampered(ctx, items[indexes[0]!]!.address, `KMS refused an intermediate key: ${error.message}`);
      throw error;
    }
    indexes.forEach((i, j) => {
      const item = items[i]!;
      try {
        const value = openValue(keys[j]!, item.address, item.encrypted.ciphertext).toString('utf8');
        ctx.trackPayload(value);
        out[i] = value;
      } catch (error) {
        if (error instanceof AeadError) throw tampered(ctx, item.address, 'the ciphertext failed authentication');
        throw error;
      } finally {
        keys[j]!.fill(0);
      }
    });
    keys.forEach((key) => key.fill(0));
  }
  if (remote.length > 0 && !options.skipRemote) {
    let next = 0;
    const worker = async () => {
      while (next < remote.length) {
        const i = remote[next++]!;
        const item = items[i]!;
        const { provider } = ctx.managers.store(keyring, contextOf(item.address.managerId));
        const { reference, versionId } = item.encrypted.remote!;
        const stored = await gate(item.address.managerId, () => (versionId === null ? provider.readReference(reference) : provider.get(reference, versionId)));
        ctx.trackPayload(stored.value);
        out[i] = stored.value;
      }
    };
    await Promise.all(Array.from({ length: Math.min(REMOTE_CONCURRENCY, remote.length) }, worker));
  }
  return out;
}

function tampered(ctx: DelegateContext, address: SecretAddress, why: string): DelegateFailure {
  ctx.log.write('error', `decryption failed: ${why}`, { secretId: address.secretId, version: address.version });
  return new DelegateFailure('DECRYPT_FAILED', `Secret ${address.secretId} version ${address.version} failed authentication: it was altered or moved.`);
}

/**
 * Stores values in a manager: the built-in store (absent `manager`), a KMS
 * manager (data keys wrapped by its intermediate keys, starting from
 * `current`), or a secret store (written remotely under `remoteName`).
 */
export async function storeValues(
  ctx: DelegateContext,
  keyring: Keyring,
  manager: ManagerContext | undefined,
  items: Outgoing[],
  current: IntermediateKeyRecord | null,
  gate: ProviderGate = ungated,
): Promise<{ versions: EncryptedVersion[]; intermediateKeys: IntermediateKeyRecord[] }> {
  if (!manager) return { versions: items.map((item) => encryptVersion(keyring, item.address, Buffer.from(item.payload, 'utf8'))), intermediateKeys: [] };
  if (items.some((item) => item.address.managerId !== manager.id)) throw new DelegateFailure('BAD_REQUEST', 'Every value must be addressed to the manager it is stored in.');
  const open = ctx.managers.open(keyring, manager);
  if (open.role === 'key-manager') {
    const dataKeys = items.map(() => newDataKey());
    try {
      const ciphertexts = items.map((item, i) => sealValue(dataKeys[i]!, item.address, Buffer.from(item.payload, 'utf8')));
      const { records, wrapped } = await open.intermediate.wrapDataKeys(current, items.map((item, i) => ({ dataKey: dataKeys[i]!, address: item.address })));
      return {
        versions: items.map((_, i) => ({ ciphertext: ciphertexts[i]!, wrappedKey: wrapped[i]!.wrapped, keyringVersion: keyring.currentVersion, intermediateKeyId: wrapped[i]!.intermediateKeyId })),
        intermediateKeys: records,
      };
    } finally {
      for (const key of dataKeys) key.fill(0);
    }
  }
  if (open.readOnly) throw new ProviderError('READ_ONLY', 'This manager is read-only: Strongroom cannot write values to it. References to existing secrets still work.');
  const { provider } = open;
  for (const item of items) {
    if (!item.remoteName) throw new DelegateFailure('BAD_REQUEST', 'A value for a secret store needs the name to write it under.');
    const refusal = provider.checkName(item.remoteName);
    if (refusal) throw new DelegateFailure('INVALID_SECRET', `"${item.remoteName}" cannot be stored in this ${open.kind} manager: ${refusal}`, [{ path: 'name', message: refusal }]);
    const size = Buffer.byteLength(item.payload, 'utf8');
    if (size > provider.maxValueBytes) {
      const message = `This ${open.kind} manager keeps values up to ${provider.maxValueBytes} bytes; this one has ${size}.`;
      throw new DelegateFailure('INVALID_SECRET', message, [{ path: 'value', message }]);
    }
  }
  const versions: EncryptedVersion[] = [];
  const created: { name: string; reference: string; versionId: string }[] = [];
  for (const item of items) {
    const mode = item.remoteMode ?? 'create';
    let written: { reference: string; versionId: string };
    try {
      written = await gate(manager.id, () => provider.put(item.remoteName!, item.payload, mode));
    } catch (error) {
      throw await undoBatch(ctx, provider, created, error, (call) => gate(manager.id, call));
    }
    if (mode === 'create') created.push({ name: item.remoteName!, ...written });
    versions.push({ ciphertext: '', wrappedKey: '', keyringVersion: keyring.currentVersion, remote: { reference: written.reference, versionId: written.versionId } });
  }
  return { versions, intermediateKeys: [] };
}

/**
 * A batch write failed part way: main will record none of it, so the secrets
 * this batch created are deleted again (each holds only the one version it
 * wrote). Those that cannot be are named in the failure, for main to list.
 */
async function undoBatch(
  ctx: DelegateContext,
  provider: SecretStore,
  created: { name: string; reference: string; versionId: string }[],
  cause: unknown,
  gate: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<unknown> {
  const failure = typedFailure(cause, ctx.sanitizer);
  if (created.length === 0 || !(failure instanceof DelegateFailure)) return failure;
  const orphans: string[] = [];
  for (const write of created) {
    try {
      await gate(() => provider.delete(write.reference, { versions: [write.versionId], created: true }));
    } catch {
      orphans.push(write.name);
    }
  }
  ctx.log.write('warn', 'a batch write to a secret store failed part way', { written: created.length, leftBehind: orphans.length });
  const note =
    orphans.length === 0
      ? ` The ${created.length} value(s) this batch had already written were deleted again.`
      : ` ${orphans.length} value(s) this batch had written could not be deleted again and are listed for cleanup: ${orphans.join(', ')}.`;
  return new DelegateFailure(failure.code, `${failure.message}${note}`, failure.issues, failure.provider, orphans.length ? orphans : undefined);
}
