/**
 * The delegate's operations, independent of transport so they can be tested
 * in memory. Requests arrive already validated against protocol.ts.
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
  type SealBinding,
  type SealRecipient,
  type SealedMessage,
} from './protocol.js';
import { Keyring, WrongPassphraseError } from './keyring.js';
import { decryptVersion, encryptVersion } from './envelope.js';
import type { EncryptedVersion, SecretAddress } from './protocol.js';
import { entryMac, headMac, macEquals } from './audit-mac.js';
import { AeadError } from './aead.js';
import { Sanitizer } from './sanitizer.js';
import type { DelegateLog } from './delegate-log.js';
import { InvalidSecretError, inspectSecret } from './secret-inspector.js';
import { BackupSession, DamagedBackupError, WrongBackupPassphraseError, type BackupRecordPlain } from './backup.js';
import { NotACredentialError, runConnectionTest } from './connection/run-connection-test.js';

export class DelegateFailure extends Error {
  constructor(
    readonly code: DelegateErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Per network step; a wrong password alone costs about 3 s of PAM delay. */
const CONNECTION_STAGE_TIMEOUT_MS = 20_000;

type Handlers = { [Op in DelegateOp]: (request: Extract<DelegateRequest, { op: Op }>) => Promise<DelegateResult<Op>> };

export class DelegateService {
  private keyring: Keyring | null = null;
  private exportSession: BackupSession | null = null;
  private restoreSession: BackupSession | null = null;

  private constructor(
    private readonly recipient: SealRecipient,
    readonly sanitizer: Sanitizer,
    private readonly log: DelegateLog,
    private readonly emit: (event: DelegateEvent) => void,
  ) {}

  /** `emit` sends progress (a connection test's stages) to main while a request runs. */
  static async create(sanitizer: Sanitizer, log: DelegateLog, emit: (event: DelegateEvent) => void = () => undefined): Promise<DelegateService> {
    return new DelegateService(await createSealRecipient(), sanitizer, log, emit);
  }

  async handle(request: DelegateRequest): Promise<unknown> {
    const handler = this.handlers[request.op] as (r: DelegateRequest) => Promise<unknown>;
    return handler(request);
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
      this.log.write('warn', 'a handled value is too short to mask safely in logs', { length: value.length });
    }
  }

  private lock(): void {
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
        throw error;
      }
    },

    'keyring.lock': async () => {
      this.lock();
      this.log.write('info', 'locked: key material wiped');
      return {};
    },

    'secrets.encrypt': async (request) => {
      const keyring = this.requireKeyring();
      const values = await this.openSealed(request.sealed, request.binding);
      checkTargetsMatchBinding(request);
      if (values.length !== request.targets.length) {
        throw new DelegateFailure('BAD_REQUEST', `The sealed batch holds ${values.length} values for ${request.targets.length} targets.`);
      }
      values.forEach((value) => this.trackPayload(value));
      const versions = [];
      for (const [i, target] of request.targets.entries()) {
        const payload = values[i]!;
        let facts;
        try {
          facts = await inspectSecret(target.address.type, target.metadata, payload);
        } catch (error) {
          if (error instanceof InvalidSecretError) {
            const label = target.name ? `"${target.name}"` : 'this secret';
            throw new DelegateFailure('INVALID_SECRET', this.sanitizer.mask(`The value of ${label} is not valid: ${error.message}`), error.issues);
          }
          throw error;
        }
        versions.push({ ...encryptVersion(keyring, target.address, Buffer.from(payload, 'utf8')), facts });
      }
      return { versions };
    },

    'secrets.reencrypt': async (request) => {
      const keyring = this.requireKeyring();
      const versions = request.items.map((item) => {
        if (item.to.secretId !== item.from.address.secretId || item.to.type !== item.from.address.type) {
          throw new DelegateFailure('BAD_REQUEST', 'A version can only be re-encrypted as a version of the same secret.');
        }
        return encryptVersion(keyring, item.to, Buffer.from(this.decrypt(keyring, item.from), 'utf8'));
      });
      return { versions };
    },

    'secrets.reveal': async (request) => {
      const keyring = this.requireKeyring();
      const values = request.items.map((item) => this.decrypt(keyring, item));
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
      const records: BackupRecordPlain[] = request.records.map((record) => ({
        meta: record.meta,
        versions: record.versions.map((version) => ({ address: version.address, meta: version.meta, payload: this.decrypt(keyring, version) })),
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
            this.trackPayload(version.payload);
            return { address: version.address, meta: version.meta, encrypted: encryptVersion(keyring, version.address, Buffer.from(version.payload, 'utf8')) };
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
      const payloadText = this.decrypt(keyring, request.secret);
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
        });
        this.log.write('info', 'connection test finished', { testId: request.testId, ok: outcome.report.ok, code: outcome.report.error?.code ?? null });
        return outcome;
      } catch (error) {
        if (error instanceof NotACredentialError) throw new DelegateFailure('BAD_REQUEST', error.message);
        throw error;
      }
    },

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
