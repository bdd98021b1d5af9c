/**
 * A loopback AWS emulator for KMS, Secrets Manager and STS AssumeRole that the
 * unmodified official SDK talks to: JSON 1.1 for KMS and Secrets Manager, the
 * Query protocol for STS, and SigV4 on every request, verified by re-signing
 * with @smithy/signature-v4 under the secret the emulator issued.
 *
 * It enforces what the providers must cope with in the real service: SigV4
 * failures (wrong secret, unknown key id, clock skew over 5 minutes, a body
 * that does not match its hash), an action-level policy per access key that
 * answers AccessDeniedException naming the action, name rules and size limits,
 * encryption-context binding, and injected latency, throttling and 5xx.
 *
 * Start it with `startAwsEmulator()` in tests, or `runStandalone(argv)` for a
 * person to point the UI at; `close()` always stops it, keep-alive sockets included.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Faults apply to every operation, or only to those listed in `operations` (e.g. `kms:Decrypt`). */
export interface AwsFaults {
  latencyMs?: number;
  /** Throttle the next `next` calls, and/or every `every`th call; `retryAfterSeconds` adds a Retry-After header. */
  throttle?: { next?: number; every?: number; retryAfterSeconds?: number };
  /** Answer 5xx to the next `next` calls and/or every `every`th call. */
  serverError?: { next?: number; every?: number; status?: 500 | 503 };
  operations?: string[];
}

export interface AwsEmulatorOptions {
  port?: number;
  region?: string;
  accountId?: string;
  /** Shifts the emulator's clock, to test how clients handle skew. */
  clockOffsetMs?: number;
}

/** Counts of calls received per operation (`kms:Decrypt`, `secretsmanager:GetSecretValue`, `sts:AssumeRole`), rejected ones included. */
export class CallLog {
  private readonly counts = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly most = new Map<string, number>();

  /** A request of `service` arrived; `left` when its answer is sent. */
  entered(service: string): void {
    const now = (this.inFlight.get(service) ?? 0) + 1;
    this.inFlight.set(service, now);
    this.most.set(service, Math.max(now, this.most.get(service) ?? 0));
  }

  left(service: string): void {
    this.inFlight.set(service, (this.inFlight.get(service) ?? 1) - 1);
  }

  /** The most requests of `service` in flight at once since `resetMostInFlight`. */
  mostInFlight(service: string): number {
    return this.most.get(service) ?? 0;
  }

  resetMostInFlight(): void {
    this.most.clear();
  }

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  /** One operation, every operation of a service (`kms:*`), or everything. */
  count(operation?: string): number {
    let total = 0;
    for (const [name, n] of this.counts) {
      if (operation === undefined || name === operation || (operation.endsWith(':*') && name.startsWith(operation.slice(0, -1)))) total += n;
    }
    return total;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}

export interface AwsEmulator {
  endpoint: string;
  region: string;
  accountId: string;
  /** Full access to every service. */
  credentials: AwsCredentials;
  /** A symmetric key created at start. */
  keyArn: string;
  calls: CallLog;
  setFaults(faults: AwsFaults): void;
  /** An IAM user whose policy allows only `allow` (`kms:Encrypt`, `kms:*`, `secretsmanager:GetSecretValue`, `*`). */
  addUser(allow: string[], name?: string): AwsCredentials;
  /** A role that the given users (default: all) may assume, requiring `externalId` when set. */
  addRole(options: { name: string; allow: string[]; externalId?: string; trustedAccessKeyIds?: string[] }): string;
  createKey(description?: string): string;
  /** Adds new key material; new ciphertexts use it and old ones still decrypt (KMS on-demand rotation). */
  rotateKey(keyArn: string): void;
  setKeyState(keyArn: string, state: KeyState): void;
  createAlias(aliasName: string, keyArn: string): string;
  close(): Promise<void>;
}

type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

interface Principal {
  arn: string;
  secretAccessKey: string;
  allow: string[];
  sessionToken?: string;
  expiresAt?: number;
}

interface Role {
  arn: string;
  allow: string[];
  externalId?: string;
  trustedAccessKeyIds?: string[];
}

interface KmsKey {
  keyId: string;
  arn: string;
  description: string;
  createdAt: number;
  state: KeyState;
  materials: { id: string; key: Buffer }[];
}

interface SecretVersion {
  id: string;
  value: { string: string } | { binary: Buffer };
  stages: Set<string>;
  createdAt: number;
}

interface Secret {
  name: string;
  arn: string;
  description: string;
  createdAt: number;
  changedAt: number;
  deletedAt?: number;
  versions: Map<string, SecretVersion>;
}

/**
 * SHA-256 and HMAC-SHA-256 for the re-signing, in node:crypto: the same digests as the SDK's pure-JS hash,
 * at a fraction of its CPU (under a benchmark's thousands of requests a second it was the emulator's main cost).
 */
class NativeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', sourceBytes(this.secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(sourceBytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

function sourceBytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

class AwsFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const SKEW_LIMIT_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const KMS_MAX_PLAINTEXT = 4096;
const SECRET_MAX_VALUE_BYTES = 65_536;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const CIPHERTEXT_MAGIC = 0x5a;
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const epochSeconds = (ms: number) => ms / 1000;
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidFromBytes = (bytes: Buffer) => {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
const accessKeyId = (prefix: 'AKIA' | 'ASIA') => prefix + randomBytes(8).toString('hex').toUpperCase();
const secretKey = () => randomBytes(30).toString('base64');
const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function allows(allow: string[], action: string): boolean {
  const service = action.split(':')[0];
  return allow.some((rule) => rule === '*' || rule === action || rule === `${service}:*`);
}

/** Canonical encryption context bytes: order-independent, as KMS treats it. */
function contextAad(context: unknown): Buffer {
  if (context === undefined || context === null) return Buffer.alloc(0);
  if (typeof context !== 'object' || Array.isArray(context)) throw new AwsFault(400, 'ValidationException', 'EncryptionContext must be a map of strings');
  const entries = Object.entries(context as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return Buffer.alloc(0);
  for (const [, value] of entries) {
    if (typeof value !== 'string') throw new AwsFault(400, 'ValidationException', 'EncryptionContext values must be strings');
  }
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

function base64Field(body: Record<string, unknown>, field: string, wireName: string, min: number, max: number): Buffer {
  const value = body[field];
  if (typeof value !== 'string') throw new AwsFault(400, 'ValidationException', `1 validation error detected: Value null at '${wireName}' failed to satisfy constraint: Member must not be null`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < min) throw new AwsFault(400, 'ValidationException', `1 validation error detected: Value at '${wireName}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  if (bytes.length > max) throw new AwsFault(400, 'ValidationException', `1 validation error detected: Value at '${wireName}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  return bytes;
}

export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '111122223333';
  const now = () => Date.now() + (options.clockOffsetMs ?? 0);
  const calls = new CallLog();
  const principals = new Map<string, Principal>();
  const roles = new Map<string, Role>();
  const keys = new Map<string, KmsKey>();
  const aliases = new Map<string, string>();
  const secrets = new Map<string, Secret>();
  let faults: AwsFaults = {};
  let faultCounter = 0;
  let throttleNext = 0;
  let errorNext = 0;

  const addUser = (allow: string[], name = `user-${randomBytes(3).toString('hex')}`): AwsCredentials => {
    const credentials = { accessKeyId: accessKeyId('AKIA'), secretAccessKey: secretKey() };
    principals.set(credentials.accessKeyId, { arn: `arn:aws:iam::${accountId}:user/${name}`, secretAccessKey: credentials.secretAccessKey, allow });
    return credentials;
  };

  const createKey = (description = ''): string => {
    const keyId = randomUUID();
    const arn = `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
    keys.set(keyId, { keyId, arn, description, createdAt: now(), state: 'Enabled', materials: [{ id: randomBytes(32).toString('hex'), key: randomBytes(32) }] });
    return arn;
  };

  const keyByArn = (arn: string): KmsKey => {
    const key = [...keys.values()].find((candidate) => candidate.arn === arn);
    if (!key) throw new Error(`no key ${arn}`);
    return key;
  };

  const admin = addUser(['*'], 'admin');
  const defaultKeyArn = createKey('strongroom emulator key');

  // ---- SigV4 ---------------------------------------------------------------------------------

  async function authenticate(req: IncomingMessage, body: Buffer, service: string): Promise<Principal> {
    const header = req.headers.authorization;
    const match = header?.match(/^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/);
    if (!match) throw new AwsFault(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, keyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match as unknown as string[];
    const dateHeader = req.headers['x-amz-date'];
    const dateMatch = typeof dateHeader === 'string' ? dateHeader.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/) : null;
    if (!dateMatch) throw new AwsFault(400, 'IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
    const [, y, mo, d, h, mi, s] = dateMatch.map(Number) as number[];
    const signedAt = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
    const serverNow = now();
    if (signedAt < serverNow - SKEW_LIMIT_MS) {
      throw new AwsFault(400, 'InvalidSignatureException', `Signature expired: ${dateHeader} is now earlier than ${amzDate(serverNow - SKEW_LIMIT_MS)} (${amzDate(serverNow)} - 5 min.)`);
    }
    if (signedAt > serverNow + SKEW_LIMIT_MS) {
      throw new AwsFault(400, 'InvalidSignatureException', `Signature not yet current: ${dateHeader} is still later than ${amzDate(serverNow + SKEW_LIMIT_MS)} (${amzDate(serverNow)} + 5 min.)`);
    }
    const principal = principals.get(keyId!);
    if (!principal) throw new AwsFault(service === 'sts' ? 403 : 400, service === 'sts' ? 'InvalidClientTokenId' : 'UnrecognizedClientException', INVALID_TOKEN);
    if (principal.sessionToken !== undefined && req.headers['x-amz-security-token'] !== principal.sessionToken) {
      throw new AwsFault(service === 'sts' ? 403 : 400, service === 'sts' ? 'InvalidClientTokenId' : 'UnrecognizedClientException', INVALID_TOKEN);
    }
    if (principal.expiresAt !== undefined && principal.expiresAt <= serverNow) throw new AwsFault(400, service === 'sts' ? 'ExpiredToken' : 'ExpiredTokenException', EXPIRED_TOKEN);
    if (scopeDate !== dateHeader!.slice(0, 8)) {
      throw new AwsFault(400, 'InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dateHeader!.slice(0, 8)}', from '${dateHeader}'.`);
    }
    if (scopeRegion !== region) throw new AwsFault(400, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'.`);
    if (scopeService !== service) throw new AwsFault(400, 'InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);

    const payloadHash = createHash('sha256').update(body).digest('hex');
    const declaredHash = req.headers['x-amz-content-sha256'];
    if (declaredHash !== undefined && declaredHash !== payloadHash) throw new AwsFault(400, 'InvalidSignatureException', BAD_SIGNATURE);

    const signedHeaders = signedHeaderList!.split(';');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = req.headers[name];
      if (value === undefined) throw new AwsFault(400, 'InvalidSignatureException', BAD_SIGNATURE);
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, name) => (query[name] = value));
    const signer = new SignatureV4({
      service: scopeService!,
      region: scopeRegion!,
      credentials: { accessKeyId: keyId!, secretAccessKey: principal.secretAccessKey, sessionToken: principal.sessionToken },
      sha256: NativeSha256,
      applyChecksum: false,
    });
    const resigned = await signer.sign(
      { method: req.method ?? 'POST', protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers, body },
      { signingDate: new Date(signedAt), signableHeaders: new Set(signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization ?? resigned.headers.Authorization))?.[1] ?? '';
    if (expected.length !== signature!.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
      throw new AwsFault(service === 'sts' ? 403 : 400, service === 'sts' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException', BAD_SIGNATURE);
    }
    return principal;
  }

  function authorize(principal: Principal, action: string, resource: string): void {
    if (!allows(principal.allow, action)) {
      const type = action.startsWith('sts:') ? 'AccessDenied' : 'AccessDeniedException';
      throw new AwsFault(action.startsWith('sts:') ? 403 : 400, type, `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
    }
  }

  // ---- KMS ---------------------------------------------------------------------------------

  function resolveKey(keyIdInput: unknown): KmsKey {
    const input = typeof keyIdInput === 'string' ? keyIdInput : '';
    if (!input) throw new AwsFault(400, 'ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    let id = input;
    const arnMatch = input.match(/^arn:aws[a-z-]*:kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/);
    if (arnMatch) {
      if (arnMatch[1] !== region || arnMatch[2] !== accountId) throw new AwsFault(400, 'NotFoundException', `Invalid arn ${region}`);
      id = arnMatch[3] === 'alias' ? `alias/${arnMatch[4]}` : arnMatch[4]!;
    }
    if (id.startsWith('alias/')) {
      const target = aliases.get(id);
      if (!target) throw new AwsFault(400, 'NotFoundException', `Alias arn:aws:kms:${region}:${accountId}:${id} is not found.`);
      id = target;
    }
    const key = keys.get(id);
    if (!key) throw new AwsFault(400, 'NotFoundException', `Key 'arn:aws:kms:${region}:${accountId}:key/${id}' does not exist`);
    return key;
  }

  function requireUsable(key: KmsKey): void {
    if (key.state === 'Disabled') throw new AwsFault(400, 'DisabledException', `${key.arn} is disabled.`);
    if (key.state === 'PendingDeletion') throw new AwsFault(400, 'KMSInvalidStateException', `${key.arn} is pending deletion.`);
  }

  function kmsEncrypt(key: KmsKey, plaintext: Buffer, context: unknown): { blob: Buffer; materialId: string } {
    const index = key.materials.length - 1;
    const material = key.materials[index]!;
    const header = Buffer.concat([Buffer.of(CIPHERTEXT_MAGIC), uuidBytes(key.keyId), Buffer.of(index >> 8, index & 0xff)]);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material.key, iv);
    cipher.setAAD(Buffer.concat([header, contextAad(context)]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { blob: Buffer.concat([header, iv, cipher.getAuthTag(), body]), materialId: material.id };
  }

  function kmsDecrypt(blob: Buffer, context: unknown, expectedKey: KmsKey | null): { key: KmsKey; plaintext: Buffer; materialId: string } {
    const invalid = () => new AwsFault(400, 'InvalidCiphertextException', '');
    if (blob.length < 1 + 16 + 2 + 12 + 16 || blob[0] !== CIPHERTEXT_MAGIC) throw invalid();
    const key = keys.get(uuidFromBytes(blob.subarray(1, 17)));
    if (!key) throw invalid();
    if (expectedKey && expectedKey.keyId !== key.keyId) {
      throw new AwsFault(400, 'IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    requireUsable(key);
    const material = key.materials[blob.readUInt16BE(17)];
    if (!material) throw invalid();
    const header = blob.subarray(0, 19);
    const decipher = createDecipheriv('aes-256-gcm', material.key, blob.subarray(19, 31));
    decipher.setAAD(Buffer.concat([header, contextAad(context)]));
    decipher.setAuthTag(blob.subarray(31, 47));
    try {
      return { key, plaintext: Buffer.concat([decipher.update(blob.subarray(47)), decipher.final()]), materialId: material.id };
    } catch {
      throw invalid();
    }
  }

  function addMaterial(key: KmsKey): void {
    key.materials.push({ id: randomBytes(32).toString('hex'), key: randomBytes(32) });
  }

  function keyMetadata(key: KmsKey): Record<string, unknown> {
    return {
      AWSAccountId: accountId,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: epochSeconds(key.createdAt),
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: key.materials[key.materials.length - 1]!.id,
    };
  }

  type Handler = (body: Record<string, unknown>, principal: Principal, action: string) => Record<string, unknown>;

  const kms: Record<string, Handler> = {
    DescribeKey: (body, principal, action) => {
      const key = resolveKey(body.KeyId);
      authorize(principal, action, key.arn);
      return { KeyMetadata: keyMetadata(key) };
    },
    Encrypt: (body, principal, action) => {
      const key = resolveKey(body.KeyId);
      authorize(principal, action, key.arn);
      const plaintext = base64Field(body, 'Plaintext', 'plaintext', 1, KMS_MAX_PLAINTEXT);
      requireUsable(key);
      const { blob } = kmsEncrypt(key, plaintext, body.EncryptionContext);
      return { CiphertextBlob: blob.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    GenerateDataKey: (body, principal, action) => {
      const key = resolveKey(body.KeyId);
      authorize(principal, action, key.arn);
      const length = body.KeySpec === 'AES_128' ? 16 : body.KeySpec === 'AES_256' ? 32 : typeof body.NumberOfBytes === 'number' ? body.NumberOfBytes : 0;
      if (!Number.isInteger(length) || length < 1 || length > 1024) throw new AwsFault(400, 'ValidationException', 'Please specify either number of bytes or key spec.');
      requireUsable(key);
      const plaintext = randomBytes(length);
      const { blob, materialId } = kmsEncrypt(key, plaintext, body.EncryptionContext);
      return { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: key.arn, KeyMaterialId: materialId };
    },
    /** On-demand rotation: new key material for new ciphertexts; every older material still decrypts what it wrapped. */
    RotateKeyOnDemand: (body, principal, action) => {
      const key = resolveKey(body.KeyId);
      authorize(principal, action, key.arn);
      requireUsable(key);
      addMaterial(key);
      return { KeyId: key.keyId };
    },
    Decrypt: (body, principal, action) => {
      const blob = base64Field(body, 'CiphertextBlob', 'ciphertextBlob', 1, 6144);
      const expected = body.KeyId === undefined ? null : resolveKey(body.KeyId);
      const embedded = blob.length >= 17 ? keys.get(uuidFromBytes(blob.subarray(1, 17))) : undefined;
      authorize(principal, action, (expected ?? embedded)?.arn ?? '*');
      const { key, plaintext, materialId } = kmsDecrypt(blob, body.EncryptionContext, expected);
      return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: materialId };
    },
  };

  // ---- Secrets Manager ---------------------------------------------------------------------

  function checkSecretName(name: unknown): string {
    if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
      throw new AwsFault(400, 'ValidationException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    return name;
  }

  function findSecret(secretId: unknown, { includeDeleted = false } = {}): Secret {
    const id = typeof secretId === 'string' ? secretId : '';
    const secret = secrets.get(id) ?? [...secrets.values()].find((candidate) => candidate.arn === id);
    if (!secret) throw new AwsFault(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.deletedAt !== undefined && !includeDeleted) {
      throw new AwsFault(400, 'InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  }

  function secretValue(body: Record<string, unknown>): SecretVersion['value'] {
    if (typeof body.SecretString === 'string') {
      if (Buffer.byteLength(body.SecretString, 'utf8') > SECRET_MAX_VALUE_BYTES) {
        throw new AwsFault(400, 'ValidationException', `1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to ${SECRET_MAX_VALUE_BYTES}`);
      }
      return { string: body.SecretString };
    }
    if (typeof body.SecretBinary === 'string') return { binary: base64Field(body, 'SecretBinary', 'secretBinary', 0, SECRET_MAX_VALUE_BYTES) };
    throw new AwsFault(400, 'InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
  }

  const sameValue = (a: SecretVersion['value'], b: SecretVersion['value']) =>
    'string' in a && 'string' in b ? a.string === b.string : 'binary' in a && 'binary' in b ? a.binary.equals(b.binary) : false;

  /** Adds a version as AWSCURRENT, moving AWSPREVIOUS along; a repeated ClientRequestToken with the same value is a no-op, as in AWS. */
  function addVersion(secret: Secret, token: unknown, value: SecretVersion['value']): SecretVersion {
    const id = typeof token === 'string' ? token : randomUUID();
    if (id.length < 32 || id.length > 64) throw new AwsFault(400, 'ValidationException', "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64");
    const existing = secret.versions.get(id);
    if (existing) {
      if (!sameValue(existing.value, value)) throw new AwsFault(400, 'ResourceExistsException', `You can't modify an existing version, you can only create a new version.`);
      return existing;
    }
    for (const version of secret.versions.values()) {
      version.stages.delete('AWSPREVIOUS');
      if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS');
    }
    const version: SecretVersion = { id, value, stages: new Set(['AWSCURRENT']), createdAt: now() };
    secret.versions.set(id, version);
    secret.changedAt = version.createdAt;
    return version;
  }

  const secretsManager: Record<string, Handler> = {
    CreateSecret: (body, principal, action) => {
      const name = checkSecretName(body.Name);
      authorize(principal, action, `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}`);
      const existing = secrets.get(name);
      if (existing?.deletedAt !== undefined) throw new AwsFault(400, 'InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
      const value = body.SecretString === undefined && body.SecretBinary === undefined ? null : secretValue(body);
      if (existing) {
        const replay = typeof body.ClientRequestToken === 'string' ? existing.versions.get(body.ClientRequestToken) : undefined;
        if (replay && value && sameValue(replay.value, value)) return { ARN: existing.arn, Name: existing.name, VersionId: replay.id };
        throw new AwsFault(400, 'ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      }
      const secret: Secret = {
        name,
        arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6)}`,
        description: typeof body.Description === 'string' ? body.Description : '',
        createdAt: now(),
        changedAt: now(),
        versions: new Map(),
      };
      const version = value ? addVersion(secret, body.ClientRequestToken, value) : null;
      secrets.set(name, secret);
      return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
    },
    PutSecretValue: (body, principal, action) => {
      const secret = findSecret(body.SecretId);
      authorize(principal, action, secret.arn);
      const version = addVersion(secret, body.ClientRequestToken, secretValue(body));
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
    },
    GetSecretValue: (body, principal, action) => {
      const secret = findSecret(body.SecretId);
      authorize(principal, action, secret.arn);
      const stage = typeof body.VersionStage === 'string' ? body.VersionStage : 'AWSCURRENT';
      const version =
        typeof body.VersionId === 'string'
          ? secret.versions.get(body.VersionId)
          : [...secret.versions.values()].find((candidate) => candidate.stages.has(stage));
      if (!version) {
        const which = typeof body.VersionId === 'string' ? `VersionId: ${body.VersionId}` : `VersionStage = ${stage}`;
        throw new AwsFault(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${which}`);
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...('string' in version.value ? { SecretString: version.value.string } : { SecretBinary: version.value.binary.toString('base64') }),
        VersionStages: [...version.stages],
        CreatedDate: epochSeconds(version.createdAt),
      };
    },
    DescribeSecret: (body, principal, action) => {
      const secret = findSecret(body.SecretId, { includeDeleted: true });
      authorize(principal, action, secret.arn);
      return {
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        CreatedDate: epochSeconds(secret.createdAt),
        LastChangedDate: epochSeconds(secret.changedAt),
        ...(secret.deletedAt !== undefined ? { DeletedDate: epochSeconds(secret.deletedAt) } : {}),
        VersionIdsToStages: Object.fromEntries([...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]])),
      };
    },
    DeleteSecret: (body, principal, action) => {
      const secret = findSecret(body.SecretId, { includeDeleted: true });
      authorize(principal, action, secret.arn);
      const force = body.ForceDeleteWithoutRecovery === true;
      if (force && body.RecoveryWindowInDays !== undefined) {
        throw new AwsFault(400, 'InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      const days = typeof body.RecoveryWindowInDays === 'number' ? body.RecoveryWindowInDays : 30;
      if (!force && (!Number.isInteger(days) || days < 7 || days > 30)) {
        throw new AwsFault(400, 'InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      }
      if (force) secrets.delete(secret.name);
      else secret.deletedAt ??= now();
      const deletion = force ? now() : secret.deletedAt! + days * 86_400_000;
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(deletion) };
    },
    ListSecrets: (body, principal, action) => {
      authorize(principal, action, '*');
      const max = typeof body.MaxResults === 'number' ? body.MaxResults : 100;
      if (!Number.isInteger(max) || max < 1 || max > 100) throw new AwsFault(400, 'ValidationException', "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100");
      const filters = Array.isArray(body.Filters) ? (body.Filters as { Key?: string; Values?: string[] }[]) : [];
      const matches = (secret: Secret) =>
        filters.every((filter) =>
          (filter.Values ?? []).some((raw) => {
            const negate = raw.startsWith('!');
            const value = negate ? raw.slice(1) : raw;
            let hit: boolean;
            // Name filters are case-sensitive prefixes; description and `all` are not (AWS API_Filter).
            if (filter.Key === 'name') hit = secret.name.startsWith(value);
            else if (filter.Key === 'description') hit = secret.description.toLowerCase().startsWith(value.toLowerCase());
            else if (filter.Key === 'all') hit = `${secret.name} ${secret.description}`.toLowerCase().includes(value.toLowerCase());
            else throw new AwsFault(400, 'InvalidParameterException', `Invalid filter key: ${filter.Key}`);
            return negate ? !hit : hit;
          }),
        );
      const includeDeleted = body.IncludePlannedDeletion === true;
      const listed = [...secrets.values()].filter((s) => (includeDeleted || s.deletedAt === undefined) && matches(s)).sort((a, b) => a.name.localeCompare(b.name));
      const start = typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64').toString('utf8')) : 0;
      const page = listed.slice(start, start + max);
      return {
        SecretList: page.map((s) => ({
          ARN: s.arn,
          Name: s.name,
          Description: s.description,
          CreatedDate: epochSeconds(s.createdAt),
          LastChangedDate: epochSeconds(s.changedAt),
          ...(s.deletedAt !== undefined ? { DeletedDate: epochSeconds(s.deletedAt) } : {}),
        })),
        ...(start + max < listed.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
      };
    },
  };

  // ---- STS ---------------------------------------------------------------------------------

  function assumeRole(params: URLSearchParams, principal: Principal): string {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new AwsFault(400, 'ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw new AwsFault(400, 'ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    }
    const role = roles.get(roleArn);
    const callerKey = [...principals.entries()].find(([, p]) => p === principal)?.[0] ?? '';
    const trusted = role && (!role.trustedAccessKeyIds || role.trustedAccessKeyIds.includes(callerKey));
    const externalIdOk = role && (role.externalId === undefined || role.externalId === params.get('ExternalId'));
    if (!allows(principal.allow, 'sts:AssumeRole') || !trusted || !externalIdOk) {
      throw new AwsFault(403, 'AccessDenied', `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const credentials = { accessKeyId: accessKeyId('ASIA'), secretAccessKey: secretKey(), sessionToken: randomBytes(48).toString('base64') };
    const expiresAt = now() + duration * 1000;
    const roleName = roleArn.split('/').pop();
    const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
    principals.set(credentials.accessKeyId, { arn: assumedArn, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, expiresAt, allow: role!.allow });
    return (
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId><Arn>${xmlEscape(assumedArn)}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(credentials.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${xmlEscape(credentials.sessionToken)}</SessionToken><Expiration>${new Date(expiresAt).toISOString()}</Expiration></Credentials>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  }

  // ---- HTTP --------------------------------------------------------------------------------

  function injectedFault(operation: string): AwsFault | null {
    if (faults.operations && !faults.operations.includes(operation)) return null;
    faultCounter++;
    const service = operation.split(':')[0];
    const { throttle, serverError } = faults;
    if (throttle && (throttleNext > 0 || (throttle.every && faultCounter % throttle.every === 0))) {
      if (throttleNext > 0) throttleNext--;
      const headers: Record<string, string> = throttle.retryAfterSeconds !== undefined ? { 'retry-after': String(throttle.retryAfterSeconds) } : {};
      return service === 'sts' ? new AwsFault(400, 'Throttling', 'Rate exceeded', headers) : new AwsFault(400, 'ThrottlingException', 'Rate exceeded', headers);
    }
    if (serverError && (errorNext > 0 || (serverError.every && faultCounter % serverError.every === 0))) {
      if (errorNext > 0) errorNext--;
      const status = serverError.status ?? 500;
      if (status === 503) return new AwsFault(503, 'ServiceUnavailableException', 'Service Unavailable');
      return new AwsFault(500, service === 'kms' ? 'KMSInternalException' : service === 'sts' ? 'InternalFailure' : 'InternalServiceError', 'We encountered an internal error. Please try again.');
    }
    return null;
  }

  function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
      date: new Date(now()).toUTCString(),
      ...headers,
    });
    res.end(body);
  }

  function sendFault(res: ServerResponse, fault: AwsFault, query: boolean): void {
    if (query) {
      const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${fault.type}</Code><Message>${xmlEscape(fault.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
      send(res, fault.status, 'text/xml', xml, fault.headers);
    } else {
      send(res, fault.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: fault.type, message: fault.message }), { 'x-amzn-errortype': fault.type, ...fault.headers });
    }
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new AwsFault(413, 'RequestEntityTooLargeException', 'Request body too large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.headers['x-amz-target'];
    const isQuery = target === undefined;
    try {
      const body = await readBody(req);
      let service: string;
      let operation: string;
      let params: URLSearchParams | null = null;
      if (typeof target === 'string') {
        const [prefix, op] = target.split('.');
        service = prefix === 'TrentService' ? 'kms' : prefix === 'secretsmanager' ? 'secretsmanager' : '';
        operation = op ?? '';
      } else {
        params = new URLSearchParams(body.toString('utf8'));
        service = 'sts';
        operation = params.get('Action') ?? '';
      }
      const handlers = service === 'kms' ? kms : service === 'secretsmanager' ? secretsManager : null;
      const action = `${service}:${operation}`;
      if (service) {
        calls.record(action);
        calls.entered(service);
        res.once('close', () => calls.left(service));
      }
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const fault = service ? injectedFault(action) : null;
      if (fault) throw fault;
      if (service === 'sts') {
        if (operation !== 'AssumeRole') throw new AwsFault(400, 'InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
        const principal = await authenticate(req, body, 'sts');
        send(res, 200, 'text/xml', assumeRole(params!, principal));
        return;
      }
      const handler = handlers && Object.hasOwn(handlers, operation) ? handlers[operation] : undefined;
      if (!handler) throw new AwsFault(400, 'UnknownOperationException', `Unknown operation ${String(target)}`);
      const principal = await authenticate(req, body, service);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw new AwsFault(400, 'SerializationException', 'Start of structure or map found where not expected.');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AwsFault(400, 'SerializationException', 'Expected a JSON object.');
      send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(handler(parsed as Record<string, unknown>, principal, action)));
    } catch (error) {
      sendFault(res, error instanceof AwsFault ? error : new AwsFault(500, 'InternalFailure', String(error)), isQuery);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the emulator holds test keys and must never be reachable from the network.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    credentials: admin,
    keyArn: defaultKeyArn,
    calls,
    setFaults(next) {
      faults = next;
      faultCounter = 0;
      throttleNext = next.throttle?.next ?? 0;
      errorNext = next.serverError?.next ?? 0;
    },
    addUser,
    addRole({ name, allow, externalId, trustedAccessKeyIds }) {
      const arn = `arn:aws:iam::${accountId}:role/${name}`;
      roles.set(arn, { arn, allow, externalId, trustedAccessKeyIds });
      return arn;
    },
    createKey,
    rotateKey(keyArn) {
      addMaterial(keyByArn(keyArn));
    },
    setKeyState(keyArn, state) {
      keyByArn(keyArn).state = state;
    },
    createAlias(aliasName, keyArn) {
      aliases.set(aliasName, keyByArn(keyArn).keyId);
      return `arn:aws:kms:${region}:${accountId}:${aliasName}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `npm run emulator -- aws [--port P]`: prints one JSON line a person can paste into the manager form. */
export async function runStandalone(args: string[]): Promise<AwsEmulator> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, region: { type: 'string' } }, strict: true });
  const emulator = await startAwsEmulator({ port: values.port ? Number(values.port) : 0, region: values.region });
  const connection = { region: emulator.region, endpoint: emulator.endpoint, credentials: emulator.credentials };
  console.log(
    JSON.stringify({
      emulator: 'aws',
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: emulator.credentials,
      keyArn: emulator.keyArn,
      managerConfigs: {
        'aws-kms': { ...connection, keyArn: emulator.keyArn },
        'aws-secrets-manager': { ...connection, namePrefix: 'strongroom/' },
      },
    }),
  );
  return emulator;
}
