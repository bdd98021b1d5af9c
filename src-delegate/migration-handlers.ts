/**
 * The delegate's side of a migration (docs/migration.md): measure values,
 * probe target names, copy one secret's versions from its manager into
 * another, and read the copies back to compare them. Values are opened and
 * written here only; main receives sizes, names, references and verdicts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DelegateRequest, DelegateResult, EncryptedVersion, IntermediateKeyRecord, ManagerContext, SecretAddress } from '../src-shared/delegate-protocol.js';
import type { Keyring } from './keyring.js';
import { encryptVersion } from './envelope.js';
import type { ManagerPool } from './managers/manager-pool.js';
import { ProviderError } from './providers/provider.js';
import type { ProviderGate } from './handlers/stored-values.js';

type Stored = { address: SecretAddress; encrypted: EncryptedVersion };
type Request<Op extends string> = Extract<DelegateRequest, { op: Op }>;

/** What the handlers borrow from the delegate service. */
export interface MigrationDeps {
  requireKeyring(): Keyring;
  openValues(keyring: Keyring, items: Stored[], managers: ManagerContext[], records: IntermediateKeyRecord[], gate?: ProviderGate): Promise<string[]>;
  storeValues(
    keyring: Keyring,
    manager: ManagerContext | undefined,
    items: { address: SecretAddress; payload: string; remoteName?: string | undefined; remoteMode?: 'create' | 'overwrite' | undefined }[],
    current: IntermediateKeyRecord | null,
    gate?: ProviderGate,
  ): Promise<{ versions: EncryptedVersion[]; intermediateKeys: IntermediateKeyRecord[] }>;
  pool(): ManagerPool;
  fail(code: 'BAD_REQUEST' | 'DECRYPT_FAILED', message: string): Error;
}

/** Digests of the values last written, so a verify right after its write reads only the copy, not the source again. */
const DIGEST_CACHE_LIMIT = 50_000;
/** Names probed at once within one request that sets no concurrency (the run's in-flight limit bounds the others). */
const PROBE_CONCURRENCY = 8;

/** A request's provider calls, each in a slot of its manager's in-flight limit when the request sets a concurrency. */
function gateOf(deps: MigrationDeps, concurrency: number | undefined): ProviderGate {
  const slots = deps.pool().slots;
  return (managerId, call) => slots.run(managerId, concurrency, call);
}

/** A create must find its name free: a value someone else put there is never written over (the store's own create refuses it too). */
async function probeFree(deps: MigrationDeps, keyring: Keyring, request: Request<'migration.write'>, gate: ProviderGate): Promise<void> {
  if (!request.target || !request.remoteName) return;
  const { provider } = deps.pool().store(keyring, request.target);
  if (await gate(request.target.id, () => provider.exists(request.remoteName!))) {
    throw new ProviderError('EXISTS', `"${request.remoteName}" already exists in the target, and Strongroom did not write it: give the secret another target name.`);
  }
}

/**
 * An earlier attempt journaled a create at the target name and may have made
 * it before it was stopped. Nothing there: nothing to claim. A value equal to
 * one of the secret's own versions: that attempt wrote it, and it is claimed
 * (the copies then go on top of it as new versions). Anything else is not
 * Strongroom's: refused as taken, never written over.
 */
async function reclaim(
  deps: MigrationDeps,
  keyring: Keyring,
  request: Request<'migration.write'>,
  values: string[],
  gate: ProviderGate,
): Promise<{ reference: string; versionId: string | null }[]> {
  if (!request.target || !request.remoteName) return [];
  const target = request.target;
  const { provider } = deps.pool().store(keyring, target);
  if (!(await gate(target.id, () => provider.exists(request.remoteName!)))) return [];
  const reference = provider.locate(request.remoteName);
  let found;
  try {
    found = await gate(target.id, () => provider.get(reference));
  } catch (error) {
    // A name blocked by a deleted secret: not a value this run left.
    if (error instanceof ProviderError && error.code === 'NOT_FOUND') found = null;
    else throw error;
  }
  if (found === null || !values.includes(found.value)) {
    throw new ProviderError('EXISTS', `"${request.remoteName}" already exists in the target, and its value is none this secret had: Strongroom did not write it.`);
  }
  return [{ reference, versionId: found.versionId }];
}

export function createMigrationHandlers(deps: MigrationDeps) {
  // A per-process key: the digests never leave this process and mean nothing after a restart (verify then re-reads the source).
  const digestKey = randomBytes(32);
  const written = new Map<string, Buffer>();
  const digest = (value: string) => createHmac('sha256', digestKey).update(value, 'utf8').digest();
  const keyOf = (address: SecretAddress) => `${address.secretId}\0${address.version}\0${address.managerId}`;
  const remember = (address: SecretAddress, value: string) => {
    if (written.size >= DIGEST_CACHE_LIMIT) written.delete(written.keys().next().value!);
    written.set(keyOf(address), digest(value));
  };

  return {
    'migration.measure': async (request: Request<'migration.measure'>): Promise<DelegateResult<'migration.measure'>> => {
      const keyring = deps.requireKeyring();
      const values = await deps.openValues(keyring, request.items, request.managers, request.intermediateKeys);
      return { sizes: values.map((value) => Buffer.byteLength(value, 'utf8')) };
    },

    'migration.probe': async (request: Request<'migration.probe'>): Promise<DelegateResult<'migration.probe'>> => {
      const keyring = deps.requireKeyring();
      const { provider } = deps.pool().store(keyring, request.manager);
      const gate = gateOf(deps, request.concurrency);
      const found = new Array<boolean>(request.names.length).fill(false);
      let next = 0;
      const worker = async () => {
        while (next < request.names.length) {
          const i = next++;
          // The store's own check: a live secret, or a deleted one still blocking the name, is taken.
          found[i] = await gate(request.manager.id, () => provider.exists(request.names[i]!));
        }
      };
      const workers = request.concurrency === undefined ? PROBE_CONCURRENCY : request.names.length;
      await Promise.all(Array.from({ length: Math.min(workers, request.names.length) }, worker));
      const taken = request.names.filter((_, i) => found[i]);
      return { taken };
    },

    'migration.write': async (request: Request<'migration.write'>): Promise<DelegateResult<'migration.write'>> => {
      const keyring = deps.requireKeyring();
      const secretId = request.items[0]!.from.address.secretId;
      for (const item of request.items) {
        if (item.from.address.secretId !== secretId || item.to.secretId !== secretId || item.to.type !== item.from.address.type) {
          throw deps.fail('BAD_REQUEST', 'One migration write copies versions of one secret, as versions of that same secret.');
        }
        if (item.to.managerId !== (request.target?.id ?? 'local')) throw deps.fail('BAD_REQUEST', 'Every copy is addressed to the target manager.');
      }
      const gate = gateOf(deps, request.concurrency);
      const toTarget = request.items.flatMap((item, i) => (item.placement === 'target' ? [i] : []));
      // A create probes its name while the source is read: two managers, so neither waits for the other.
      const creates = toTarget.length > 0 && !request.overwrite && !request.reclaim;
      const [values] = await Promise.all([
        deps.openValues(
          keyring,
          request.items.map((item) => item.from),
          request.managers,
          request.intermediateKeys,
          gate,
        ),
        request.probe && creates ? probeFree(deps, keyring, request, gate) : undefined,
      ]);
      const versions: EncryptedVersion[] = new Array<EncryptedVersion>(request.items.length);
      let intermediateKeys: IntermediateKeyRecord[] = [];
      const claimed = request.reclaim && toTarget.length > 0 ? await reclaim(deps, keyring, request, values, gate) : [];
      if (toTarget.length > 0) {
        // In order: a secret store keeps the versions in the order they are written.
        const stored = await deps.storeValues(
          keyring,
          request.target,
          // The first copy creates the remote secret (refused if the name is taken), the rest are its versions;
          // a copy the run may already have written (main says so) adds versions to its own secret.
          toTarget.map((i, j) => ({
            address: request.items[i]!.to,
            payload: values[i]!,
            remoteName: request.remoteName,
            remoteMode: j === 0 && !request.overwrite && claimed.length === 0 ? ('create' as const) : ('overwrite' as const),
          })),
          request.intermediateKey ?? null,
          gate,
        );
        toTarget.forEach((i, j) => (versions[i] = stored.versions[j]!));
        intermediateKeys = stored.intermediateKeys;
      }
      request.items.forEach((item, i) => {
        if (item.placement === 'local') versions[i] = encryptVersion(keyring, item.to, Buffer.from(values[i]!, 'utf8'));
        remember(item.to, values[i]!);
      });
      if (!request.verify) return { versions, intermediateKeys, claimed };
      // Read back here rather than in a migration.verify of its own: one request to this process per copy instead of two.
      const copies = await deps.openValues(
        keyring,
        request.items.map((item, i) => ({ address: item.to, encrypted: versions[i]! })),
        request.managers,
        [...request.intermediateKeys, ...intermediateKeys],
        gate,
      );
      const equal = request.items.map((_, i) => timingSafeEqual(digest(values[i]!), digest(copies[i]!)));
      return { versions, intermediateKeys, claimed, equal };
    },

    'migration.verify': async (request: Request<'migration.verify'>): Promise<DelegateResult<'migration.verify'>> => {
      const keyring = deps.requireKeyring();
      const gate = gateOf(deps, request.concurrency);
      const copies = await deps.openValues(
        keyring,
        request.items.map((item) => item.written),
        request.managers,
        request.intermediateKeys,
        gate,
      );
      const missing = request.items.flatMap((item, i) => (written.has(keyOf(item.written.address)) ? [] : [i]));
      const sources =
        missing.length > 0
          ? await deps.openValues(
              keyring,
              missing.map((i) => request.items[i]!.from),
              request.managers,
              request.intermediateKeys,
              gate,
            )
          : [];
      const expected = new Map(missing.map((i, j) => [i, digest(sources[j]!)]));
      return {
        equal: request.items.map((item, i) => {
          const want = expected.get(i) ?? written.get(keyOf(item.written.address))!;
          return timingSafeEqual(want, digest(copies[i]!));
        }),
      };
    },
  };
}
