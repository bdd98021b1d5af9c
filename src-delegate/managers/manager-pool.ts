/**
 * The providers the delegate holds open. Main sends a manager's context (its
 * id, kind, configuration version and encrypted configuration) with every
 * request that needs it; the pool opens the provider on first use, keeps it
 * per manager id and configuration version, and closes it when the
 * configuration changes, the manager is removed, or the store locks. KMS
 * managers come with their IntermediateKeys, all sharing the delegate's one
 * IntermediateKeyCache, which locking clears.
 */
import type { ManagerContext, ProviderKind } from '../../src-shared/delegate-protocol.js';
import type { Keyring } from '../keyring.js';
import { AeadError } from '../aead.js';
import { IntermediateKeyCache, IntermediateKeys } from '../providers/intermediate-keys.js';
import { ProviderError, type KeyManager, type SecretStore, type TokenRenewalStatus } from '../providers/provider.js';
import { capabilityMismatches } from './capabilities.js';
import { decryptConfig } from './config-crypto.js';
import { ManagerSlots } from './in-flight-limiter.js';
import { providerOf, secretValues } from './registry.js';
import { managerKindSpecs } from '../../src-shared/manager-kinds.js';

export interface OpenKeyManager {
  kind: ProviderKind;
  role: 'key-manager';
  provider: KeyManager;
  intermediate: IntermediateKeys;
}

export interface OpenStore {
  kind: ProviderKind;
  role: 'secret-store';
  provider: SecretStore;
  readOnly: boolean;
}

export type OpenManager = OpenKeyManager | OpenStore;

interface Entry {
  configVersion: number;
  open: OpenManager;
}

export class ConfigDamagedError extends Error {}

export class ManagerPool {
  private readonly entries = new Map<string, Entry>();
  readonly cache = new IntermediateKeyCache();
  /** Each manager's in-flight limit for a migration's provider calls (its concurrency C). */
  readonly slots = new ManagerSlots();

  /**
   * `track` registers each secret configuration value with the sanitizer before the provider can print it;
   * `onRenewal` hears every change of a Vault manager's renewal loop.
   */
  constructor(
    private readonly track: (value: string) => void,
    private readonly onRenewal: (managerId: string, status: TokenRenewalStatus) => void = () => undefined,
  ) {}

  open(keyring: Keyring, context: ManagerContext): OpenManager {
    const existing = this.entries.get(context.id);
    if (existing && existing.configVersion === context.configVersion) return existing.open;
    // The old provider closes in the background; its successor does not wait for it.
    if (existing) void this.close(context.id);

    const spec = providerOf(context.kind);
    let json: string;
    try {
      json = decryptConfig(keyring, context.id, context.kind, context.config);
    } catch (error) {
      if (error instanceof AeadError) throw new ConfigDamagedError(`The stored configuration of manager ${context.id} failed authentication: it was altered or moved.`);
      throw error;
    }
    const config = JSON.parse(json) as Record<string, unknown>;
    for (const value of secretValues(context.kind, config)) this.track(value);
    if (managerKindSpecs[context.kind].supportsReadOnly && context.readOnly) config.readOnly = true;
    const provider = spec.create(config, { onRenewalStatus: (status) => this.onRenewal(context.id, status) });
    const mismatches = capabilityMismatches(managerKindSpecs[context.kind], provider);
    if (mismatches.length > 0) {
      void provider.close?.();
      throw new Error(`The ${context.kind} provider does not match its kind's description: it ${mismatches.join('; ')}.`);
    }
    const open: OpenManager =
      provider.role === 'key-manager'
        ? { kind: context.kind, role: 'key-manager', provider, intermediate: new IntermediateKeys({ managerId: context.id, keyManager: provider, cache: this.cache }) }
        : { kind: context.kind, role: 'secret-store', provider, readOnly: context.readOnly };
    this.entries.set(context.id, { configVersion: context.configVersion, open });
    return open;
  }

  keyManager(keyring: Keyring, context: ManagerContext): OpenKeyManager {
    const open = this.open(keyring, context);
    if (open.role !== 'key-manager') throw new ProviderError('INVALID', `Manager ${context.id} (${context.kind}) is a secret store, not a key manager.`);
    return open;
  }

  store(keyring: Keyring, context: ManagerContext): OpenStore {
    const open = this.open(keyring, context);
    if (open.role !== 'secret-store') throw new ProviderError('INVALID', `Manager ${context.id} (${context.kind}) is a key manager, not a secret store.`);
    return open;
  }

  /** The renewal loops of the token-renewing managers held open. */
  renewalStatuses(): { managerId: string; status: TokenRenewalStatus }[] {
    const out: { managerId: string; status: TokenRenewalStatus }[] = [];
    for (const managerId of this.entries.keys()) {
      const status = this.renewalOf(managerId);
      if (status) out.push({ managerId, status });
    }
    return out;
  }

  renewalOf(managerId: string): TokenRenewalStatus | null {
    return this.entries.get(managerId)?.open.provider.tokenRenewal?.status() ?? null;
  }

  /**
   * Forgets the manager at once (the next use opens it anew) and resolves when
   * its provider has closed: Vault revokes an AppRole token it logged in with.
   */
  async close(managerId: string): Promise<void> {
    const entry = this.entries.get(managerId);
    this.entries.delete(managerId);
    if (!entry) return;
    try {
      await entry.open.provider.close?.();
    } catch {
      // Closing releases sockets, timers and tokens; a failure to do so must not keep the manager open.
    }
  }

  /** On lock: every provider closed (Vault's renewal loops stop, AppRole tokens are revoked and leave memory), every intermediate key wiped. */
  async closeAll(): Promise<void> {
    const closing = [...this.entries.keys()].map((id) => this.close(id));
    this.cache.clear();
    await Promise.all(closing);
  }

  get size(): number {
    return this.entries.size;
  }
}
