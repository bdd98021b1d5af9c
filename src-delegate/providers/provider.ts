/**
 * The one interface every secret manager implements, in two roles:
 * key managers wrap and unwrap data keys for envelope encryption (Google
 * Cloud KMS, AWS KMS); secret stores hold values remotely (HashiCorp Vault,
 * Azure Key Vault, AWS Secrets Manager). One file per provider in this
 * folder; each exports its kind, a zod schema for its configuration (secret
 * fields included: the configuration only ever exists in the delegate), and
 * a factory. Every provider passes test/integration/providers-conformance.test.ts.
 */
import type { ProviderErrorCode } from '../../src-shared/provider-error-codes.js';

export { providerErrorCodes, type ProviderErrorCode } from '../../src-shared/provider-error-codes.js';

/** Socket errors that mean the endpoint cannot be reached: every provider reports them as UNREACHABLE. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** TLS errors that mean the server's certificate is not trusted: every provider reports them as TLS_UNTRUSTED. */
export const TLS_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A provider failure, already turned into something an admin can act on. */
export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly extra: { permission?: string; retryable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** What a read-only connection test found. */
export interface ProviderTestResult {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  /** Facts worth showing: key version, token TTL, renewability, secret-id expiry… */
  facts: Record<string, string | number | boolean | null>;
  /** Credentials that expire soon, and similar. */
  warnings: string[];
}

/** An SSH CA the manager holds: the facet of kinds whose description `signsSshCertificates`. */
export interface SshCertificateSigner {
  /** Signs an OpenSSH public key; allowed for read-only managers, as it stores nothing. */
  sign(request: SshSignRequest): Promise<{ certificate: string; serialNumber: string }>;
  /**
   * Checks, reading only, that `mount` is an SSH engine this manager sees and
   * that `role` can sign there: INVALID or NOT_FOUND naming what is missing,
   * PERMISSION_DENIED when it may not sign with the role.
   */
  check(mount: string, role: string): Promise<void>;
}

export interface SshSignRequest {
  /** The SSH engine's mount, e.g. `ssh-client-signer`. */
  mount: string;
  role: string;
  /** An OpenSSH public key line. */
  publicKey: string;
  validPrincipals: string[];
  /** Certificate lifetime in seconds; the role's default when absent. */
  ttl?: number;
}

/** Where a token renewal loop stands, for the manager's health. */
export interface TokenRenewalStatus {
  /** `not-needed`: the token never expires (root-like); `paused`: stopped after repeated failures until resumed. */
  state: 'idle' | 'active' | 'failing' | 'paused' | 'not-needed' | 'stopped';
  consecutiveFailures: number;
  /** Seconds the token had left after the last renewal or login. */
  ttlSeconds: number | null;
  lastRenewedAt: string | null;
  lastError: { code: ProviderErrorCode; message: string } | null;
}

/** A login token kept alive by a loop: the facet of kinds whose description `renewsToken`. */
export interface TokenRenewal {
  status(): TokenRenewalStatus;
  /** Restarts a paused loop with one attempt now. */
  resume(): void;
}

/**
 * What a provider can do beyond its role, one optional facet per capability
 * of the kind descriptions (src-shared/manager-kinds.ts). A handler reaches a
 * capability only through its facet, so the compiler checks it uses nothing
 * else; the pool refuses a provider whose facets differ from its kind's
 * description (managers/capabilities.ts), and so does the conformance suite.
 */
export interface ProviderCapabilities {
  readonly sshSigner?: SshCertificateSigner;
  readonly tokenRenewal?: TokenRenewal;
  /** Releases what the provider holds (timers, connection pools, a token it logged in for); the pool calls it when it forgets the manager. */
  close?(): void | Promise<void>;
}

export interface KeyManager extends ProviderCapabilities {
  readonly role: 'key-manager';
  readonly kind: string;
  /** Wraps key material; `context` is bound as encryption context / AAD. Returns the wrapped bytes and the KMS key version used. */
  wrapKey(plaintextKey: Buffer, context: Record<string, string>): Promise<{ wrapped: Buffer; keyVersion: string }>;
  unwrapKey(wrapped: Buffer, context: Record<string, string>): Promise<Buffer>;
  test(): Promise<ProviderTestResult>;
}

export interface StoredValue {
  value: string;
  versionId: string;
}

/**
 * How a write treats a name that already holds a secret in the store:
 * - `create`: a new secret. Refused with EXISTS when anything is already there
 *   (written by anyone, or soft-deleted and still recoverable), atomically
 *   where the store can (Vault KV v2 check-and-set, AWS CreateSecret).
 * - `overwrite`: a new version of a secret Strongroom already holds (update,
 *   rollback), or of one the admin explicitly chose to adopt.
 */
export type WriteMode = 'create' | 'overwrite';

/** What Strongroom wrote at a reference: the version ids, and whether it created the secret (or adopted one already there). */
export interface OwnedWrites {
  versions: readonly string[];
  created: boolean;
}

/** What a delete did remotely: the whole secret, only the versions Strongroom wrote, or nothing. */
export interface RemoteDeletion {
  removed: 'secret' | 'versions' | 'nothing';
  /** One sentence for the audit trail and the user. */
  detail: string;
}

export interface SecretStore extends ProviderCapabilities {
  readonly role: 'secret-store';
  readonly kind: string;
  /** Checks a name against this store's rules before anything is written; returns a reason when it is refused. */
  checkName(name: string): string | null;
  /** The largest value this store accepts, in bytes. */
  readonly maxValueBytes: number;
  /** The reference put(name) writes to, so a name can be looked up before anything is written. */
  locate(name: string): string;
  /** Whether the store keeps older versions readable by their version id (Vault KV v1 does not). */
  readonly keepsVersions: boolean;
  /**
   * Whether anything is stored where `put(name)` would write: a live secret,
   * or one deleted but still recoverable that blocks the name. The check that
   * keeps Strongroom from taking over a secret it did not write; migrations
   * call it for their targets too.
   */
  exists(name: string): Promise<boolean>;
  /** Writes a value under the manager's base path or prefix; returns the remote reference and version id. */
  put(name: string, value: string, mode: WriteMode): Promise<{ reference: string; versionId: string }>;
  get(reference: string, versionId?: string): Promise<StoredValue>;
  /**
   * Deletes what Strongroom wrote at `reference`, and nothing else. When every
   * version the store holds is one Strongroom wrote, the secret goes (the
   * store's soft delete where it has one); otherwise a store that can delete
   * single versions (Vault KV v2) destroys only Strongroom's, and the others
   * leave the secret in place. A store without versions (KV v1) deletes only
   * a secret Strongroom created.
   */
  delete(reference: string, own: OwnedWrites): Promise<RemoteDeletion>;
  /** Reads an existing secret by a user-supplied reference (Vault `path#key`, AWS `name#jsonKey`, Azure `name/version`). */
  readReference(reference: string): Promise<StoredValue>;
  test(): Promise<ProviderTestResult>;
}

export type Provider = KeyManager | SecretStore;
