/**
 * The delegate's operations, independent of transport so they can be tested
 * in memory. Requests arrive already validated against src-shared/delegate-protocol.ts.
 */
import {
  MIN_PASSPHRASE_LENGTH,
  SEAL_SUITE,
  createSealRecipient,
  sealBindings,
  sealValues,
  type DelegateErrorCode,
  type DelegateEvent,
  type DelegateOp,
  type DelegateRequest,
  type DelegateResult,
  type IntermediateKeyRecord,
  type ManagerContext,
  type ProviderFailure,
  type SealBinding,
  type SealRecipient,
  type SealedMessage,
} from '../src-shared/delegate-protocol.js';
import { DamagedKeyringError, Keyring, WrongPassphraseError } from './keyring.js';
import { decryptVersion, encryptVersion, newDataKey, openValue, sealValue } from './envelope.js';
import type { EncryptedVersion, SecretAddress, SecretFacts } from '../src-shared/delegate-protocol.js';
import { z } from 'zod';
import { ProviderError, type ProviderTestResult } from './providers/provider.js';
import type { VaultStore } from './providers/vault.js';
import { ConfigDamagedError, ManagerPool } from './managers/manager-pool.js';
import { azureConnection, azureProvider, keepStoredSecrets, kinds, publicConfig, secretValues, vaultConnection, vaultProvider } from './managers/registry.js';
import { decryptConfig, encryptConfig } from './managers/config-crypto.js';
import { entryMac, headMac, macEquals } from './audit-mac.js';
import { AeadError } from './aead.js';
import { Sanitizer } from './sanitizer.js';
import type { DelegateLog } from './delegate-log.js';
import { InvalidSecretError, inspectSecret } from './secret-inspector.js';
import { BackupSession, DamagedBackupError, WrongBackupPassphraseError, type BackupRecordPlain } from './backup.js';
import { NotACredentialError, runConnectionTest } from './connection/run-connection-test.js';
import { createMigrationHandlers } from './migration-handlers.js';
import { probeOptionalTools } from './connection/optional-tools-probe.js';

export class DelegateFailure extends Error {
  constructor(
    readonly code: DelegateErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
    /** PROVIDER: what the secret manager said, typed. */
    readonly provider?: ProviderFailure,
  ) {
    super(message);
  }
}

/** A stored version as main sends it. */
type Stored = { address: SecretAddress; encrypted: EncryptedVersion };

/** A value on its way into a manager. */
type Outgoing = { address: SecretAddress; payload: string; remoteName?: string | undefined };

/** Remote versions travel through backups as their reference only, inside the version's meta. */
const remoteMetaSchema = z.strictObject({ reference: z.string().min(1).max(2048), versionId: z.string().min(1).max(256).nullable() });

/** Reads from a secret store in parallel, but not without bound. */
const REMOTE_CONCURRENCY = 8;

/** Per network step; a wrong password alone costs about 3 s of PAM delay. */
const CONNECTION_STAGE_TIMEOUT_MS = 20_000;

type Handlers = { [Op in DelegateOp]: (request: Extract<DelegateRequest, { op: Op }>) => Promise<DelegateResult<Op>> };

export class DelegateService {
  private keyring: Keyring | null = null;
  private exportSession: BackupSession | null = null;
  private restoreSession: BackupSession | null = null;
  /** Providers held open, and the intermediate-key cache: both emptied on lock. */
  readonly managers: ManagerPool;

  private constructor(
    private readonly recipient: SealRecipient,
    readonly sanitizer: Sanitizer,
    private readonly log: DelegateLog,
    private readonly emit: (event: DelegateEvent) => void,
  ) {
    this.managers = new ManagerPool(
      (value) => this.trackValue(value),
      (managerId, status) =>
        this.log.write(status.state === 'paused' || status.state === 'failing' ? 'warn' : 'info', 'vault token renewal', {
          managerId,
          state: status.state,
          consecutiveFailures: status.consecutiveFailures,
          error: status.lastError?.code ?? null,
        }),
    );
  }

  /** `emit` sends progress (a connection test's stages) to main while a request runs. */
  static async create(sanitizer: Sanitizer, log: DelegateLog, emit: (event: DelegateEvent) => void = () => undefined): Promise<DelegateService> {
    return new DelegateService(await createSealRecipient(), sanitizer, log, emit);
  }

  async handle(request: DelegateRequest): Promise<unknown> {
    const handler = this.handlers[request.op] as (r: DelegateRequest) => Promise<unknown>;
    try {
      return await handler(request);
    } catch (error) {
      throw this.typed(error);
    }
  }

  /** Provider failures become PROVIDER errors, their messages masked here, before anything else sees them. */
  private typed(error: unknown): unknown {
    if (error instanceof ProviderError) {
      const provider: ProviderFailure = { code: error.code };
      if (error.extra.permission) provider.permission = this.sanitizer.mask(error.extra.permission).slice(0, 512);
      if (error.extra.retryAfterMs !== undefined) provider.retryAfterMs = Math.max(0, Math.round(error.extra.retryAfterMs));
      return new DelegateFailure('PROVIDER', this.sanitizer.mask(error.message), undefined, provider);
    }
    if (error instanceof ConfigDamagedError) return new DelegateFailure('DECRYPT_FAILED', error.message);
    return error;
  }

  private requireKeyring(): Keyring {
    if (!this.keyring) throw new DelegateFailure('LOCKED', 'The store is locked.');
    return this.keyring;
  }

  /** Opens a sealed batch and registers every value with the sanitizer before anything else can print it. */
  private async openSealed(sealed: SealedMessage, binding: SealBinding): Promise<string[]> {
    let values: string[];
    try {
      values = await this.recipient.open(sealed, binding);
    } catch {
      throw new DelegateFailure('SEAL_INVALID', 'The sealed value could not be opened: it was sealed to another key or for another operation.');
    }
    for (const value of values) this.trackValue(value);
    return values;
  }

  private trackValue(value: string): void {
    if (!this.sanitizer.track(value)) {
      this.log.write('warn', 'a handled value, or one of its lines, is too short to mask safely in logs', { length: value.length });
    }
  }

  private lock(): void {
    this.managers.closeAll();
    this.keyring?.wipe();
    this.keyring = null;
    this.exportSession?.wipe();
    this.exportSession = null;
    this.restoreSession?.wipe();
    this.restoreSession = null;
    this.sanitizer.clear();
  }

  /** Decrypts one stored version, turning an authentication failure into a typed error. */
  private decrypt(keyring: Keyring, item: { address: SecretAddress; encrypted: EncryptedVersion }): string {
    try {
      const value = decryptVersion(keyring, item.address, item.encrypted).toString('utf8');
      this.trackPayload(value);
      return value;
    } catch (error) {
      if (error instanceof AeadError) {
        this.log.write('error', 'decryption failed: ciphertext, data key or address does not match', { secretId: item.address.secretId, version: item.address.version });
        throw new DelegateFailure('DECRYPT_FAILED', `Secret ${item.address.secretId} version ${item.address.version} failed authentication: it was altered or moved.`);
      }
      throw error;
    }
  }

  /** A structured payload is masked field by field as well as whole, so a password logged alone is caught. */
  private trackPayload(payload: string): void {
    this.trackValue(payload);
    if (!payload.startsWith('{')) return;
    try {
      for (const field of Object.values(JSON.parse(payload) as Record<string, unknown>)) {
        if (typeof field === 'string') this.trackValue(field);
      }
    } catch {
      // A text value that merely starts with "{" is tracked whole above.
    }
  }

  /**
   * Opens stored versions of any manager: keyring-wrapped data keys here,
   * KMS-wrapped ones through the manager's intermediate keys (one KMS call per
   * uncached intermediate key), and remote versions read from their store.
   * With `skipRemote`, remote versions come back as '' (backups keep only their reference).
   */
  private async openValues(
    keyring: Keyring,
    items: Stored[],
    managers: ManagerContext[],
    records: IntermediateKeyRecord[],
    options: { skipRemote?: boolean } = {},
  ): Promise<string[]> {
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
      else out[i] = this.decrypt(keyring, item);
    });
    for (const [managerId, indexes] of kms) {
      const { intermediate } = this.managers.keyManager(keyring, contextOf(managerId));
      let keys: Buffer[];
      try {
        keys = await intermediate.unwrapDataKeys(
          records.filter((record) => record.managerId === managerId),
          indexes.map((i) => ({ wrapped: { intermediateKeyId: items[i]!.encrypted.intermediateKeyId!, wrapped: items[i]!.encrypted.wrappedKey }, address: items[i]!.address })),
        );
      } catch (error) {
        if (error instanceof AeadError) throw this.tampered(items[indexes[0]!]!.address, 'a data key failed authentication under its intermediate key');
        // KMS refuses a wrapped intermediate key that was altered, or moved to another id or manager, as invalid ciphertext.
        if (error instanceof ProviderError && error.code === 'INVALID') throw this.tampered(items[indexes[0]!]!.address, `KMS refused an intermediate key: ${error.message}`);
        throw error;
      }
      indexes.forEach((i, j) => {
        const item = items[i]!;
        try {
          const value = openValue(keys[j]!, item.address, item.encrypted.ciphertext).toString('utf8');
          this.trackPayload(value);
          out[i] = value;
        } catch (error) {
          if (error instanceof AeadError) throw this.tampered(item.address, 'the ciphertext failed authentication');
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
          const { provider } = this.managers.store(keyring, contextOf(item.address.managerId));
          const { reference, versionId } = item.encrypted.remote!;
          const stored = versionId === null ? await provider.readReference(reference) : await provider.get(reference, versionId);
          this.trackPayload(stored.value);
          out[i] = stored.value;
        }
      };
      await Promise.all(Array.from({ length: Math.min(REMOTE_CONCURRENCY, remote.length) }, worker));
    }
    return out;
  }

  private tampered(address: SecretAddress, why: string): DelegateFailure {
    this.log.write('error', `decryption failed: ${why}`, { secretId: address.secretId, version: address.version });
    return new DelegateFailure('DECRYPT_FAILED', `Secret ${address.secretId} version ${address.version} failed authentication: it was altered or moved.`);
  }

  /**
   * Stores values in a manager: the built-in store (absent `manager`), a KMS
   * manager (data keys wrapped by its intermediate keys, starting from
   * `current`), or a secret store (written remotely under `remoteName`).
   */
  private async storeValues(
    keyring: Keyring,
    manager: ManagerContext | undefined,
    items: Outgoing[],
    current: IntermediateKeyRecord | null,
  ): Promise<{ versions: EncryptedVersion[]; intermediateKeys: IntermediateKeyRecord[] }> {
    if (!manager) return { versions: items.map((item) => encryptVersion(keyring, item.address, Buffer.from(item.payload, 'utf8'))), intermediateKeys: [] };
    if (items.some((item) => item.address.managerId !== manager.id)) throw new DelegateFailure('BAD_REQUEST', 'Every value must be addressed to the manager it is stored in.');
    const open = this.managers.open(keyring, manager);
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
    for (const item of items) {
      const written = await provider.put(item.remoteName!, item.payload);
      versions.push({ ciphertext: '', wrappedKey: '', keyringVersion: keyring.currentVersion, remote: { reference: written.reference, versionId: written.versionId } });
    }
    return { versions, intermediateKeys: [] };
  }

  /** Every text of a test result, masked: a provider may echo what it was given. */
  private maskResult(result: ProviderTestResult): ProviderTestResult {
    const mask = (text: string) => this.sanitizer.mask(text);
    return {
      ok: result.ok,
      checks: result.checks.slice(0, 32).map((check) => ({ name: mask(check.name).slice(0, 200), ok: check.ok, detail: mask(check.detail).slice(0, 4000) })),
      facts: Object.fromEntries(
        Object.entries(result.facts)
          .slice(0, 200)
          .map(([key, value]) => [key.slice(0, 64), typeof value === 'string' ? mask(value).slice(0, 4096) : value]),
      ),
      warnings: result.warnings.slice(0, 32).map((warning) => mask(warning).slice(0, 2000)),
    };
  }

  private parseConfigJson(json: string | undefined): Record<string, unknown> {
    let config: unknown;
    try {
      config = JSON.parse(json ?? '');
    } catch {
      throw new DelegateFailure('INVALID_SECRET', 'The configuration is not JSON.', [{ path: 'config', message: 'Not valid JSON' }]);
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) {
      throw new DelegateFailure('INVALID_SECRET', 'The configuration must be a JSON object.', [{ path: 'config', message: 'Expected a JSON object' }]);
    }
    return config as Record<string, unknown>;
  }

  private requireSession(session: BackupSession | null, what: string): BackupSession {
    if (!session) throw new DelegateFailure('BAD_REQUEST', `No ${what} is in progress.`);
    return session;
  }

  private backupStep<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (error instanceof DamagedBackupError) throw new DelegateFailure('DECRYPT_FAILED', error.message);
      throw error;
    }
  }

  private readonly migration = createMigrationHandlers({
    requireKeyring: () => this.requireKeyring(),
    openValues: (keyring, items, managers, records) => this.openValues(keyring, items, managers, records),
    storeValues: (keyring, manager, items, current) => this.storeValues(keyring, manager, items, current),
    pool: () => this.managers,
    fail: (code, message) => new DelegateFailure(code, message),
  });

  private readonly handlers: Handlers = {
    hello: async () => ({ publicKey: this.recipient.publicKey, suite: SEAL_SUITE, pid: process.pid }),

    'keyring.create': async (request) => {
      const [passphrase] = await this.openSealed(request.sealed, sealBindings.vaultCreate());
      if (passphrase === undefined || passphrase.length < MIN_PASSPHRASE_LENGTH) {
        throw new DelegateFailure('WEAK_PASSPHRASE', `The passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`);
      }
      const created = await Keyring.create(passphrase);
      this.lock();
      this.keyring = created.keyring;
      // lock() forgot every tracked value, this passphrase too: it must stay masked.
      this.trackValue(passphrase);
      this.log.write('info', 'keyring created', { keyringVersion: 1 });
      return { keyring: created.entry, auditKey: created.auditKey };
    },

    'keyring.unlock': async (request) => {
      const [passphrase] = await this.openSealed(request.sealed, sealBindings.vaultUnlock());
      if (passphrase === undefined) throw new DelegateFailure('BAD_REQUEST', 'No passphrase was sealed.');
      try {
        const keyring = await Keyring.unlock(passphrase, request.keyring, request.auditKey);
        this.lock();
        this.keyring = keyring;
        this.trackValue(passphrase);
        this.log.write('info', 'unlocked', { keyringVersion: keyring.currentVersion });
        return { keyringVersion: keyring.currentVersion };
      } catch (error) {
        if (error instanceof WrongPassphraseError) {
          this.log.write('warn', 'unlock failed: wrong passphrase');
          throw new DelegateFailure('WRONG_PASSPHRASE', 'Wrong passphrase.');
        }
        if (error instanceof DamagedKeyringError) {
          this.log.write('error', 'unlock failed: damaged key blob', { error: error.message });
          throw new DelegateFailure('DECRYPT_FAILED', error.message);
        }
        throw error;
      }
    },

    'keyring.status': async () => ({ unlocked: this.keyring !== null }),

    'secrets.encrypt': async (request) => {
      const keyring = this.requireKeyring();
      const values = await this.openSealed(request.sealed, request.binding);
      checkTargetsMatchBinding(request);
      if (values.length !== request.targets.length) {
        throw new DelegateFailure('BAD_REQUEST', `The sealed batch holds ${values.length} values for ${request.targets.length} targets.`);
      }
      values.forEach((value) => this.trackPayload(value));
      const facts: SecretFacts[] = [];
      for (const [i, target] of request.targets.entries()) {
        const payload = values[i]!;
        try {
          facts.push(await inspectSecret(target.address.type, target.metadata, payload));
        } catch (error) {
          if (error instanceof InvalidSecretError) {
            const label = target.name ? `"${target.name}"` : 'this secret';
            throw new DelegateFailure('INVALID_SECRET', this.sanitizer.mask(`The value of ${label} is not valid: ${error.message}`), error.issues);
          }
          throw error;
        }
      }
      const stored = await this.storeValues(
        keyring,
        request.manager,
        request.targets.map((target, i) => ({ address: target.address, payload: values[i]!, remoteName: target.remoteName })),
        request.intermediateKey ?? null,
      );
      return { versions: stored.versions.map((version, i) => ({ ...version, facts: facts[i]! })), intermediateKeys: stored.intermediateKeys };
    },

    'secrets.reencrypt': async (request) => {
      const keyring = this.requireKeyring();
      for (const item of request.items) {
        if (item.to.secretId !== item.from.address.secretId || item.to.type !== item.from.address.type) {
          throw new DelegateFailure('BAD_REQUEST', 'A version can only be re-encrypted as a version of the same secret.');
        }
      }
      const targetId = request.items[0]!.to.managerId;
      if (request.items.some((item) => item.to.managerId !== targetId)) throw new DelegateFailure('BAD_REQUEST', 'One re-encryption goes to one manager.');
      const values = await this.openValues(keyring, request.items.map((item) => item.from), request.managers, request.intermediateKeys);
      const target = request.managers.find((manager) => manager.id === targetId);
      return this.storeValues(
        keyring,
        target,
        request.items.map((item, i) => ({ address: item.to, payload: values[i]!, remoteName: item.remoteName })),
        request.intermediateKey ?? null,
      );
    },

    'secrets.reveal': async (request) => {
      const keyring = this.requireKeyring();
      const values = await this.openValues(keyring, request.items, request.managers, request.intermediateKeys);
      const binding = sealBindings.secretReveal(request.items.map((item) => item.address.secretId));
      try {
        return { sealed: await sealValues(request.recipientPublicKey, binding, values) };
      } catch {
        throw new DelegateFailure('BAD_REQUEST', 'The recipient public key is not a valid X25519 key.');
      }
    },

    'backup.exportBegin': async (request) => {
      this.requireKeyring();
      const [passphrase] = await this.openSealed(request.sealed, sealBindings.backupExport());
      if (passphrase === undefined || passphrase.length < MIN_PASSPHRASE_LENGTH) {
        throw new DelegateFailure('WEAK_PASSPHRASE', `The export passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`);
      }
      this.exportSession?.wipe();
      this.exportSession = await BackupSession.forExport(passphrase);
      return { header: this.exportSession.header };
    },

    'backup.exportChunk': async (request) => {
      const keyring = this.requireKeyring();
      const session = this.requireSession(this.exportSession, 'export');
      const all = request.records.flatMap((record) => record.versions);
      const payloads = await this.openValues(keyring, all, request.managers, request.intermediateKeys, { skipRemote: true });
      let next = 0;
      const records: BackupRecordPlain[] = request.records.map((record) => ({
        meta: record.meta,
        versions: record.versions.map((version) => ({ address: version.address, meta: version.meta, payload: payloads[next++]! })),
      }));
      return { line: this.backupStep(() => session.sealChunk(request.index, records)) };
    },

    'backup.exportEnd': async (request) => {
      const session = this.requireSession(this.exportSession, 'export');
      const line = this.backupStep(() => session.sealEnd(request.chunks));
      session.wipe();
      this.exportSession = null;
      return { line };
    },

    'backup.restoreBegin': async (request) => {
      this.requireKeyring();
      const [passphrase] = await this.openSealed(request.sealed, sealBindings.backupRestore());
      this.restoreSession?.wipe();
      try {
        this.restoreSession = await BackupSession.forRestore(passphrase ?? '', request.header);
      } catch (error) {
        if (error instanceof WrongBackupPassphraseError) throw new DelegateFailure('WRONG_PASSPHRASE', error.message);
        throw error;
      }
      return {};
    },

    'backup.restoreChunk': async (request) => {
      const keyring = this.requireKeyring();
      const session = this.requireSession(this.restoreSession, 'restore');
      const records = this.backupStep(() => session.openChunk(request.index, request.line));
      return {
        records: records.map((record) => ({
          meta: record.meta,
          versions: record.versions.map((version) => {
            if (version.meta.remote !== undefined) {
              // A secret-store version: the backup kept only where the value lives.
              const remote = remoteMetaSchema.safeParse(version.meta.remote);
              if (!remote.success) throw new DelegateFailure('DECRYPT_FAILED', `Chunk ${request.index} of the backup names a remote value in a form this version does not know.`);
              return { address: version.address, meta: version.meta, encrypted: { ciphertext: '', wrappedKey: '', keyringVersion: keyring.currentVersion, remote: remote.data } };
            }
            this.trackPayload(version.payload);
            const known = !request.managerIds || version.address.managerId === 'local' || request.managerIds.includes(version.address.managerId);
            // A KMS manager that is not in this store: the value comes back into the built-in store.
            const address = known ? version.address : { ...version.address, managerId: 'local' };
            return { address, meta: version.meta, encrypted: encryptVersion(keyring, address, Buffer.from(version.payload, 'utf8')) };
          }),
        })),
      };
    },

    'backup.restoreEnd': async (request) => {
      const session = this.requireSession(this.restoreSession, 'restore');
      this.backupStep(() => session.openEnd(request.chunks, request.line));
      session.wipe();
      this.restoreSession = null;
      return {};
    },

    'connection.test': async (request) => {
      const keyring = this.requireKeyring();
      const [payloadText = ''] = await this.openValues(keyring, [request.secret], request.managers, request.intermediateKeys);
      const signer = request.signer;
      const signPublicKey = signer
        ? async (publicKey: string, username: string): Promise<string> => {
            const { provider, kind } = this.managers.store(keyring, signer);
            if (kind !== 'vault') throw new ProviderError('INVALID', 'Only a HashiCorp Vault manager can sign SSH keys.');
            const metadata = request.secret.metadata;
            const signed = await (provider as VaultStore).signPublicKey({ mount: String(metadata.mount), role: String(metadata.role), publicKey, validPrincipals: [username] });
            return signed.certificate;
          }
        : undefined;
      let payload: Record<string, string | undefined>;
      try {
        payload = JSON.parse(payloadText) as Record<string, string | undefined>;
      } catch {
        throw new DelegateFailure('BAD_REQUEST', 'Only credentials can be tested, not text or file secrets.');
      }
      try {
        const outcome = await runConnectionTest({
          type: request.secret.address.type,
          metadata: request.secret.metadata,
          payload,
          target: request.target,
          knownHosts: request.knownHosts,
          acceptNewHostKey: request.acceptNewHostKey,
          mask: (text) => this.sanitizer.mask(text),
          onStage: (stage) => this.emit({ event: 'connection.stage', testId: request.testId, stage }),
          timeoutMs: CONNECTION_STAGE_TIMEOUT_MS,
          signPublicKey,
        });
        this.log.write('info', 'connection test finished', { testId: request.testId, ok: outcome.report.ok, code: outcome.report.error?.code ?? null });
        return outcome;
      } catch (error) {
        if (error instanceof NotACredentialError) throw new DelegateFailure('BAD_REQUEST', error.message);
        throw error;
      }
    },

    'manager.configure': async (request) => {
      const keyring = this.requireKeyring();
      const [json] = await this.openSealed(request.sealed, sealBindings.managerConfig(request.name));
      let input = this.parseConfigJson(json);
      for (const value of secretValues(request.kind, input)) this.trackValue(value);
      if (request.previous) {
        if (request.previous.id !== request.managerId || request.previous.kind !== request.kind) throw new DelegateFailure('BAD_REQUEST', 'The stored configuration is of another manager.');
        let stored: Record<string, unknown>;
        try {
          stored = JSON.parse(decryptConfig(keyring, request.previous.id, request.previous.kind, request.previous.config)) as Record<string, unknown>;
        } catch (error) {
          if (error instanceof AeadError) throw new DelegateFailure('DECRYPT_FAILED', `The stored configuration of manager ${request.managerId} failed authentication: it was altered or moved.`);
          throw error;
        }
        for (const value of secretValues(request.kind, stored)) this.trackValue(value);
        input = keepStoredSecrets(request.kind, stored, input);
      }
      const spec = kinds[request.kind];
      const parsed = spec.configSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 20).map((issue) => ({ path: ['config', ...issue.path.map(String)].join('.').slice(0, 64), message: this.sanitizer.mask(issue.message).slice(0, 300) }));
        throw new DelegateFailure('INVALID_SECRET', `The ${request.kind} configuration is not valid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, issues);
      }
      const output = parsed.data as Record<string, unknown>;
      // A configuration replaced under the same id must not keep the old provider open.
      this.managers.close(request.managerId);
      this.log.write('info', 'manager configured', { managerId: request.managerId, kind: request.kind });
      return {
        config: encryptConfig(keyring, request.managerId, request.kind, JSON.stringify(input)),
        publicConfig: publicConfig(request.kind, output),
        readOnly: request.kind === 'vault' && output.readOnly === true,
      };
    },

    'manager.test': async (request) => {
      const keyring = this.requireKeyring();
      let result: ProviderTestResult;
      try {
        const open = this.managers.open(keyring, request.manager);
        result = await open.provider.test();
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        result = {
          ok: false,
          checks: [{ name: 'connect', ok: false, detail: error.message }],
          facts: { errorCode: error.code, ...(error.extra.permission ? { missingPermission: error.extra.permission } : {}) },
          warnings: [],
        };
      }
      let renewal = this.managers.renewalOf(request.manager.id);
      if (renewal?.state === 'paused' && result.ok) {
        // A passing test shows the token works again: the paused loop may resume.
        const entry = this.managers.open(keyring, request.manager);
        (entry.provider as VaultStore).resumeRenewal();
        renewal = this.managers.renewalOf(request.manager.id);
      }
      this.log.write('info', 'manager tested', { managerId: request.manager.id, kind: request.manager.kind, ok: result.ok, errorCode: result.facts.errorCode ?? null });
      return {
        result: this.maskResult(result),
        renewal: renewal ? { ...renewal, lastError: renewal.lastError ? { code: renewal.lastError.code, message: this.sanitizer.mask(renewal.lastError.message).slice(0, 2000) } : null } : null,
      };
    },

    'manager.fetchOptions': async (request) => {
      this.requireKeyring();
      const [json] = await this.openSealed(request.sealed, sealBindings.managerConfig(''));
      const config = this.parseConfigJson(json);
      for (const value of secretValues(request.kind, config)) this.trackValue(value);
      if (request.kind === 'vault') {
        const mounts = await vaultProvider.listMounts(vaultConnection(config));
        return { kind: 'vault' as const, mounts: mounts.slice(0, 1000).map((mount) => ({ ...mount, description: mount.description.slice(0, 2000) })) };
      }
      const vaults = await azureProvider.listVaults(azureConnection(config));
      return { kind: 'azure-key-vault' as const, vaults: vaults.slice(0, 5000) };
    },

    'manager.close': async (request) => {
      this.managers.close(request.managerId);
      return {};
    },

    'manager.open': async (request) => {
      const keyring = this.requireKeyring();
      const failed: string[] = [];
      for (const manager of request.managers) {
        try {
          this.managers.open(keyring, manager);
        } catch (error) {
          failed.push(manager.id);
          this.log.write('warn', 'manager could not be opened', { managerId: manager.id, kind: manager.kind, error: this.sanitizer.mask(error instanceof Error ? error.message : String(error)) });
        }
      }
      return { failed };
    },

    'tools.probe': async () => ({ present: await probeOptionalTools() }),

    'manager.status': async () => ({
      renewal: this.managers.renewalStatuses().map(({ managerId, status }) => ({
        managerId,
        status: { ...status, lastError: status.lastError ? { code: status.lastError.code, message: this.sanitizer.mask(status.lastError.message).slice(0, 2000) } : null },
      })),
    }),

    'secrets.checkReference': async (request) => {
      const keyring = this.requireKeyring();
      const { provider } = this.managers.store(keyring, request.manager);
      const stored = await provider.readReference(request.reference);
      this.trackPayload(stored.value);
      return { versionId: stored.versionId.slice(0, 256) };
    },

    'secrets.deleteRemote': async (request) => {
      const keyring = this.requireKeyring();
      const { provider, readOnly } = this.managers.store(keyring, request.manager);
      if (readOnly) throw new ProviderError('READ_ONLY', 'This manager is read-only: Strongroom cannot delete its remote values.');
      await provider.delete(request.reference);
      return {};
    },

    ...this.migration,

    'audit.mac': async (request) => {
      const key = this.requireKeyring().auditKey;
      const macs = request.entries.map((entry) => entryMac(key, entry.seq, entry.hash));
      const last = request.entries[request.entries.length - 1]!;
      return { macs, headMac: headMac(key, last.seq, last.hash) };
    },

    'audit.verify': async (request) => {
      const key = this.requireKeyring().auditKey;
      const bad = request.entries.find((entry) => !macEquals(entryMac(key, entry.seq, entry.hash), entry.mac));
      const headValid = request.head === null || macEquals(headMac(key, request.head.seq, request.head.hash), request.head.mac);
      return { firstBadSeq: bad ? bad.seq : null, headValid };
    },
  };
}

/**
 * For creates, the renderer sealed the values together with their names; main
 * must pair each value with the secret of that name, in order.
 */
function checkTargetsMatchBinding(request: Extract<DelegateRequest, { op: 'secrets.encrypt' }>): void {
  const { purpose, bindings } = request.binding;
  if (purpose === 'secret.create') {
    const names = bindings.names;
    const ok = Array.isArray(names) && names.length === request.targets.length && request.targets.every((t, i) => t.name === names[i] && t.address.version === 1);
    if (!ok) throw new DelegateFailure('SEAL_INVALID', 'The targets do not match the names the values were sealed for.');
  } else if (purpose === 'secret.update') {
    const ok = request.targets.length === 1 && request.targets[0]!.address.secretId === bindings.secretId;
    if (!ok) throw new DelegateFailure('SEAL_INVALID', 'The target does not match the secret the value was sealed for.');
  } else {
    throw new DelegateFailure('SEAL_INVALID', `Values sealed for "${purpose}" cannot be stored as secrets.`);
  }
}
