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
  type DelegateOp,
  type DelegateRequest,
  type DelegateResult,
  type SealBinding,
  type SealRecipient,
  type SealedMessage,
} from './protocol.js';
import { Keyring, WrongPassphraseError } from './keyring.js';
import { decryptVersion, encryptVersion } from './envelope.js';
import { entryMac, headMac, macEquals } from './audit-mac.js';
import { AeadError } from './aead.js';
import { Sanitizer } from './sanitizer.js';
import type { DelegateLog } from './delegate-log.js';

export class DelegateFailure extends Error {
  constructor(
    readonly code: DelegateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Handlers = { [Op in DelegateOp]: (request: Extract<DelegateRequest, { op: Op }>) => Promise<DelegateResult<Op>> };

export class DelegateService {
  private keyring: Keyring | null = null;

  private constructor(
    private readonly recipient: SealRecipient,
    readonly sanitizer: Sanitizer,
    private readonly log: DelegateLog,
  ) {}

  static async create(sanitizer: Sanitizer, log: DelegateLog): Promise<DelegateService> {
    return new DelegateService(await createSealRecipient(), sanitizer, log);
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
    this.sanitizer.clear();
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
      const versions = request.targets.map((target, i) => encryptVersion(keyring, target.address, Buffer.from(values[i] as string, 'utf8')));
      return { versions };
    },

    'secrets.reveal': async (request) => {
      const keyring = this.requireKeyring();
      const values = request.items.map((item) => {
        try {
          const value = decryptVersion(keyring, item.address, item.encrypted).toString('utf8');
          this.trackValue(value);
          return value;
        } catch (error) {
          if (error instanceof AeadError) {
            this.log.write('error', 'decryption failed: ciphertext, data key or address does not match', { secretId: item.address.secretId, version: item.address.version });
            throw new DelegateFailure('DECRYPT_FAILED', `Secret ${item.address.secretId} version ${item.address.version} failed authentication: it was altered or moved.`);
          }
          throw error;
        }
      });
      const binding = sealBindings.secretReveal(request.items.map((item) => item.address.secretId));
      try {
        return { sealed: await sealValues(request.recipientPublicKey, binding, values) };
      } catch {
        throw new DelegateFailure('BAD_REQUEST', 'The recipient public key is not a valid X25519 key.');
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
