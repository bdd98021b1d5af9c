/**
 * A loopback Google Cloud KMS emulator speaking the REST surface that
 * @google-cloud/kms uses with `fallback: 'rest'`: encrypt, decrypt, get
 * cryptoKey, get and list cryptoKeyVersions.
 *
 * It verifies the bearer token (a static token it issued, or a self-signed
 * RS256 JWT checked against the service account's public key, with its
 * aud/scope, iat and exp), checks the CRC32C fields and answers
 * INVALID_ARGUMENT on a mismatch as Cloud KMS does, binds ciphertext to the key
 * and the AAD, answers PERMISSION_DENIED naming the permission, and can inject
 * latency, throttling (429 RESOURCE_EXHAUSTED with RetryInfo), 5xx and
 * corrupted response checksums.
 *
 * Its CRC32C is a bitwise implementation, independent of the table-driven one
 * in the provider, so each checks the other.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CallLog } from './aws-emulator.js';

export const permissions = {
  encrypt: 'cloudkms.cryptoKeyVersions.useToEncrypt',
  decrypt: 'cloudkms.cryptoKeyVersions.useToDecrypt',
  getKey: 'cloudkms.cryptoKeys.get',
  getVersion: 'cloudkms.cryptoKeyVersions.get',
  listVersions: 'cloudkms.cryptoKeyVersions.list',
  createVersion: 'cloudkms.cryptoKeyVersions.create',
  updatePrimary: 'cloudkms.cryptoKeys.update',
} as const;

/** roles/cloudkms.cryptoKeyEncrypterDecrypter: note it cannot read the key's metadata. */
export const encrypterDecrypter = [permissions.encrypt, permissions.decrypt];
const allPermissions = Object.values(permissions);

export type ServiceAccountKey = {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
};

export interface GcpFaults {
  latencyMs?: number;
  throttle?: { next?: number; every?: number; retryAfterSeconds?: number };
  serverError?: { next?: number; every?: number; status?: 500 | 503 };
  /** The next `next` successful encrypt/decrypt responses carry a wrong checksum, as if corrupted in transit. */
  corruptChecksum?: { next: number };
  operations?: string[];
}

export interface GcpKmsEmulatorOptions {
  port?: number;
  projectId?: string;
  location?: string;
  keyRing?: string;
  keyName?: string;
}

export interface GcpKmsEmulator {
  endpoint: string;
  projectId: string;
  location: string;
  keyRing: string;
  keyName: string;
  /** projects/…/cryptoKeys/… of the key created at start. */
  keyResourceName: string;
  /** A static token with every permission. */
  accessToken: string;
  /** A service account with every permission. */
  serviceAccount: ServiceAccountKey;
  /**
   * Operations are `cloudkms:Encrypt`, `cloudkms:Decrypt`, `cloudkms:GetCryptoKey`, `cloudkms:GetCryptoKeyVersion`, `cloudkms:ListCryptoKeyVersions`,
   * and the rotation an admin does: `cloudkms:CreateCryptoKeyVersion`, `cloudkms:UpdateCryptoKeyPrimaryVersion`.
   */
  calls: CallLog;
  setFaults(faults: GcpFaults): void;
  issueToken(granted: string[]): string;
  addServiceAccount(granted: string[]): ServiceAccountKey;
  /** Creates a new primary version; older versions still decrypt. Returns the new version's name. */
  rotateKey(keyName?: string): string;
  setVersionState(versionName: string, state: 'ENABLED' | 'DISABLED' | 'DESTROYED'): void;
  close(): Promise<void>;
}

const STATE = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 } as const;
const MAX_DATA_BYTES = 65_536;
const CIPHERTEXT_MAGIC = 0x47;
const ACCEPTED_SCOPES = ['https://www.googleapis.com/auth/cloudkms', 'https://www.googleapis.com/auth/cloud-platform'];
const RESOURCE_ID = /^[a-zA-Z0-9_-]{1,63}$/;

/** Bitwise CRC32C (Castagnoli, reflected 0x82F63B78). */
export function crc32cBitwise(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

class GoogleFault extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Principal {
  name: string;
  granted: Set<string>;
}

interface KeyVersion {
  number: number;
  key: Buffer;
  state: number;
  createdAt: string;
}

interface CryptoKey {
  name: string;
  createdAt: string;
  versions: KeyVersion[];
  primary: number;
}

const b64url = (text: string) => Buffer.from(text, 'base64url');

export async function startGcpKmsEmulator(options: GcpKmsEmulatorOptions = {}): Promise<GcpKmsEmulator> {
  const projectId = options.projectId ?? 'strongroom-test';
  const location = options.location ?? 'global';
  const keyRing = options.keyRing ?? 'strongroom';
  const keyName = options.keyName ?? 'secrets';
  const ringName = `projects/${projectId}/locations/${location}/keyRings/${keyRing}`;
  const calls = new CallLog();
  const tokens = new Map<string, Principal>();
  const serviceAccounts = new Map<string, { publicKey: KeyObject; keyId: string; principal: Principal }>();
  const keys = new Map<string, CryptoKey>();
  let faults: GcpFaults = {};
  let faultCounter = 0;
  let throttleNext = 0;
  let errorNext = 0;
  let corruptNext = 0;

  const issueToken = (granted: string[]): string => {
    const token = `ya29.emulator-${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { name: `token ${token.slice(0, 16)}…`, granted: new Set(granted) });
    return token;
  };

  const addServiceAccount = (granted: string[]): ServiceAccountKey => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = `sa-${randomBytes(3).toString('hex')}@${projectId}.iam.gserviceaccount.com`;
    const keyId = randomBytes(20).toString('hex');
    serviceAccounts.set(email, { publicKey, keyId, principal: { name: `serviceAccount:${email}`, granted: new Set(granted) } });
    return {
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: String(Date.now()),
      // Present because real key files carry it; the provider must never call it.
      token_uri: 'https://oauth2.googleapis.com/token',
    };
  };

  const createKey = (name: string): CryptoKey => {
    const key: CryptoKey = { name: `${ringName}/cryptoKeys/${name}`, createdAt: new Date().toISOString(), versions: [], primary: 1 };
    key.versions.push({ number: 1, key: randomBytes(32), state: STATE.ENABLED, createdAt: key.createdAt });
    keys.set(key.name, key);
    return key;
  };

  const defaultKey = createKey(keyName);
  const accessToken = issueToken(allPermissions);
  const serviceAccount = addServiceAccount(allPermissions);

  function authenticate(req: IncomingMessage): Principal {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      throw new GoogleFault(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.');
    }
    const invalid = () =>
      new GoogleFault(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', domain: 'googleapis.com', metadata: { service: 'cloudkms.googleapis.com' } },
      ]);
    const token = header.slice('Bearer '.length);
    const issued = tokens.get(token);
    if (issued) return issued;
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid();
    let head: { alg?: string; kid?: string };
    let claims: { iss?: string; sub?: string; aud?: string; scope?: string; iat?: number; exp?: number };
    try {
      head = JSON.parse(b64url(parts[0]!).toString('utf8'));
      claims = JSON.parse(b64url(parts[1]!).toString('utf8'));
    } catch {
      throw invalid();
    }
    const account = claims.iss ? serviceAccounts.get(claims.iss) : undefined;
    if (head.alg !== 'RS256' || !account || claims.sub !== claims.iss) throw invalid();
    if (head.kid !== undefined && head.kid !== account.keyId) throw invalid();
    if (!verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), account.publicKey, b64url(parts[2]!))) throw invalid();
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= now || claims.iat > now + 300 || claims.exp - claims.iat > 3600) throw invalid();
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const audienceOk = claims.aud === `https://${host}/` || claims.aud === 'https://cloudkms.googleapis.com/';
    const scopeOk = (claims.scope ?? '').split(' ').some((scope) => ACCEPTED_SCOPES.includes(scope));
    if (!audienceOk && !scopeOk) throw invalid();
    return account.principal;
  }

  function authorize(principal: Principal, permission: string, resource: string): void {
    if (!principal.granted.has(permission)) {
      throw new GoogleFault(403, 'PERMISSION_DENIED', `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`, [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'cloudkms.googleapis.com', metadata: { permission, resource } },
      ]);
    }
  }

  function findKey(name: string): CryptoKey {
    const key = keys.get(name);
    if (!key) throw new GoogleFault(404, 'NOT_FOUND', `CryptoKey ${name} not found.`);
    return key;
  }

  function findVersion(name: string): { key: CryptoKey; version: KeyVersion } {
    const match = /^(.*)\/cryptoKeyVersions\/(\d+)$/.exec(name);
    const key = findKey(match?.[1] ?? name);
    const version = key.versions.find((candidate) => candidate.number === Number(match?.[2]));
    if (!version) throw new GoogleFault(404, 'NOT_FOUND', `CryptoKeyVersion ${name} not found.`);
    return { key, version };
  }

  function requireEnabled(key: CryptoKey, version: KeyVersion): void {
    if (version.state !== STATE.ENABLED) {
      const state = Object.entries(STATE).find(([, value]) => value === version.state)?.[0];
      throw new GoogleFault(400, 'FAILED_PRECONDITION', `${key.name}/cryptoKeyVersions/${version.number} is not enabled, current state is: ${state}.`);
    }
  }

  function bytesField(body: Record<string, unknown>, field: string, required: boolean): Buffer | null {
    const value = body[field];
    if (value === undefined || value === null || value === '') {
      if (required) throw new GoogleFault(400, 'INVALID_ARGUMENT', `${field} must be provided.`);
      return null;
    }
    if (typeof value !== 'string') throw new GoogleFault(400, 'INVALID_ARGUMENT', `Invalid value at '${field}'.`);
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length > MAX_DATA_BYTES) throw new GoogleFault(400, 'INVALID_ARGUMENT', `The request's ${field} is too large: ${bytes.length} bytes, the limit is ${MAX_DATA_BYTES}.`);
    return bytes;
  }

  /** Checks a client-supplied CRC32C; returns whether one was supplied (the `verified…` response flag). */
  function checkCrc(body: Record<string, unknown>, field: string, checksumField: string, data: Buffer | null): boolean {
    const declared = body[checksumField];
    if (declared === undefined || declared === null) return false;
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (String(declared) !== String(crc32cBitwise(data ?? Buffer.alloc(0)))) {
      throw new GoogleFault(400, 'INVALID_ARGUMENT', `The checksum in field ${snake(checksumField)} did not match the data in field ${snake(field)}.`);
    }
    return true;
  }

  function cipherAad(key: CryptoKey, header: Buffer, aad: Buffer | null): Buffer {
    return Buffer.concat([header, Buffer.from(`${key.name}\0`), aad ?? Buffer.alloc(0)]);
  }

  function corruptIfAsked(checksum: number): string {
    if (corruptNext > 0) {
      corruptNext--;
      return String((checksum + 1) >>> 0);
    }
    return String(checksum);
  }

  function encrypt(name: string, body: Record<string, unknown>, principal: Principal): Record<string, unknown> {
    authorize(principal, permissions.encrypt, name);
    const isVersion = name.includes('/cryptoKeyVersions/');
    const { key, version } = isVersion ? findVersion(name) : (() => {
      const found = findKey(name);
      return { key: found, version: found.versions.find((candidate) => candidate.number === found.primary)! };
    })();
    const plaintext = bytesField(body, 'plaintext', true)!;
    const aad = bytesField(body, 'additionalAuthenticatedData', false);
    const verifiedPlaintext = checkCrc(body, 'plaintext', 'plaintextCrc32c', plaintext);
    const verifiedAad = checkCrc(body, 'additionalAuthenticatedData', 'additionalAuthenticatedDataCrc32c', aad);
    requireEnabled(key, version);
    const header = Buffer.alloc(5);
    header[0] = CIPHERTEXT_MAGIC;
    header.writeUInt32BE(version.number, 1);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', version.key, iv);
    cipher.setAAD(cipherAad(key, header, aad));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const ciphertext = Buffer.concat([header, iv, cipher.getAuthTag(), sealed]);
    return {
      name: `${key.name}/cryptoKeyVersions/${version.number}`,
      ciphertext: ciphertext.toString('base64'),
      ciphertextCrc32c: corruptIfAsked(crc32cBitwise(ciphertext)),
      verifiedPlaintextCrc32c: verifiedPlaintext,
      verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
      protectionLevel: 1,
    };
  }

  function decrypt(name: string, body: Record<string, unknown>, principal: Principal): Record<string, unknown> {
    authorize(principal, permissions.decrypt, name);
    const key = findKey(name);
    const ciphertext = bytesField(body, 'ciphertext', true)!;
    const aad = bytesField(body, 'additionalAuthenticatedData', false);
    checkCrc(body, 'ciphertext', 'ciphertextCrc32c', ciphertext);
    checkCrc(body, 'additionalAuthenticatedData', 'additionalAuthenticatedDataCrc32c', aad);
    const failed = () => new GoogleFault(400, 'INVALID_ARGUMENT', "Decryption failed: verify that 'name' refers to the correct CryptoKey.");
    if (ciphertext.length < 5 + 12 + 16 || ciphertext[0] !== CIPHERTEXT_MAGIC) throw failed();
    const version = key.versions.find((candidate) => candidate.number === ciphertext.readUInt32BE(1));
    if (!version) throw failed();
    requireEnabled(key, version);
    const decipher = createDecipheriv('aes-256-gcm', version.key, ciphertext.subarray(5, 17));
    decipher.setAAD(cipherAad(key, ciphertext.subarray(0, 5), aad));
    decipher.setAuthTag(ciphertext.subarray(17, 33));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(ciphertext.subarray(33)), decipher.final()]);
    } catch {
      throw failed();
    }
    return {
      plaintext: plaintext.toString('base64'),
      plaintextCrc32c: corruptIfAsked(crc32cBitwise(plaintext)),
      usedPrimary: version.number === key.primary,
      protectionLevel: 1,
    };
  }

  const versionJson = (key: CryptoKey, version: KeyVersion) => ({
    name: `${key.name}/cryptoKeyVersions/${version.number}`,
    state: version.state,
    protectionLevel: 1,
    algorithm: 1,
    createTime: version.createdAt,
    generateTime: version.createdAt,
  });

  const keyJson = (key: CryptoKey) => ({
    name: key.name,
    primary: versionJson(key, key.versions.find((version) => version.number === key.primary)!),
    purpose: 1,
    createTime: key.createdAt,
    versionTemplate: { protectionLevel: 1, algorithm: 1 },
  });

  /** A new enabled version; it becomes primary only when asked (UpdateCryptoKeyPrimaryVersion), as in Cloud KMS. */
  function addVersion(key: CryptoKey): KeyVersion {
    const version = { number: key.versions.length + 1, key: randomBytes(32), state: STATE.ENABLED, createdAt: new Date().toISOString() };
    key.versions.push(version);
    return version;
  }

  function injectedFault(operation: string): GoogleFault | null {
    if (faults.operations && !faults.operations.includes(operation)) return null;
    faultCounter++;
    const { throttle, serverError } = faults;
    if (throttle && (throttleNext > 0 || (throttle.every && faultCounter % throttle.every === 0))) {
      if (throttleNext > 0) throttleNext--;
      const retryAfter = throttle.retryAfterSeconds;
      return new GoogleFault(
        429,
        'RESOURCE_EXHAUSTED',
        "Quota exceeded for quota metric 'Cryptographic requests' and limit 'Cryptographic requests per minute' of service 'cloudkms.googleapis.com'.",
        [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com', metadata: { service: 'cloudkms.googleapis.com', quota_metric: 'cloudkms.googleapis.com/crypto_requests' } },
          ...(retryAfter !== undefined ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }] : []),
        ],
        retryAfter !== undefined ? { 'retry-after': String(Math.ceil(retryAfter)) } : {},
      );
    }
    if (serverError && (errorNext > 0 || (serverError.every && faultCounter % serverError.every === 0))) {
      if (errorNext > 0) errorNext--;
      return serverError.status === 503
        ? new GoogleFault(503, 'UNAVAILABLE', 'The service is currently unavailable.')
        : new GoogleFault(500, 'INTERNAL', 'Internal error encountered.');
    }
    return null;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4 * MAX_DATA_BYTES) throw new GoogleFault(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.');
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return {};
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
    } catch {
      // answered below
    }
    throw new GoogleFault(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  }

  function route(method: string, path: string): { operation: string; name: string } | null {
    const versions = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+)\/cryptoKeyVersions$/.exec(path);
    if (method === 'GET' && versions) return { operation: 'ListCryptoKeyVersions', name: versions[1]! };
    if (method === 'POST' && versions) return { operation: 'CreateCryptoKeyVersion', name: versions[1]! };
    const primary = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+):updatePrimaryVersion$/.exec(path);
    if (method === 'POST' && primary) return { operation: 'UpdateCryptoKeyPrimaryVersion', name: primary[1]! };
    const action = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+(?:\/cryptoKeyVersions\/\d+)?):(encrypt|decrypt)$/.exec(path);
    if (method === 'POST' && action) return { operation: action[2] === 'encrypt' ? 'Encrypt' : 'Decrypt', name: action[1]! };
    const get = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+)(\/cryptoKeyVersions\/\d+)?$/.exec(path);
    if (method === 'GET' && get) return { operation: get[2] ? 'GetCryptoKeyVersion' : 'GetCryptoKey', name: get[1]! + (get[2] ?? '') };
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://emulator');
      const target = route(req.method ?? 'GET', decodeURIComponent(url.pathname));
      if (!target) throw new GoogleFault(404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`);
      const operation = `cloudkms:${target.operation}`;
      calls.record(operation);
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const fault = injectedFault(operation);
      if (fault) throw fault;
      const principal = authenticate(req);
      const segments = target.name.split('/');
      if (!RESOURCE_ID.test(segments[5] ?? '') || !RESOURCE_ID.test(segments[7] ?? '')) {
        throw new GoogleFault(400, 'INVALID_ARGUMENT', `Resource name [${target.name}] does not match any known type: key ring and key ids are 1 to 63 letters, digits, _ or -.`);
      }
      const body = req.method === 'POST' ? await readJson(req) : {};
      switch (target.operation) {
        case 'Encrypt':
          return send(res, 200, encrypt(target.name, body, principal));
        case 'Decrypt':
          return send(res, 200, decrypt(target.name, body, principal));
        case 'GetCryptoKey':
          authorize(principal, permissions.getKey, target.name);
          return send(res, 200, keyJson(findKey(target.name)));
        case 'CreateCryptoKeyVersion': {
          authorize(principal, permissions.createVersion, target.name);
          const key = findKey(target.name);
          return send(res, 200, versionJson(key, addVersion(key)));
        }
        case 'UpdateCryptoKeyPrimaryVersion': {
          authorize(principal, permissions.updatePrimary, target.name);
          const key = findKey(target.name);
          const id = typeof body.cryptoKeyVersionId === 'string' ? body.cryptoKeyVersionId : '';
          if (!/^\d+$/.test(id)) throw new GoogleFault(400, 'INVALID_ARGUMENT', 'crypto_key_version_id must be provided.');
          const { version } = findVersion(`${key.name}/cryptoKeyVersions/${id}`);
          requireEnabled(key, version);
          key.primary = version.number;
          return send(res, 200, keyJson(key));
        }
        case 'GetCryptoKeyVersion': {
          authorize(principal, permissions.getVersion, target.name);
          const { key, version } = findVersion(target.name);
          return send(res, 200, versionJson(key, version));
        }
        default: {
          authorize(principal, permissions.listVersions, target.name);
          const key = findKey(target.name);
          return send(res, 200, { cryptoKeyVersions: key.versions.map((version) => versionJson(key, version)), totalSize: key.versions.length });
        }
      }
    } catch (error) {
      const fault = error instanceof GoogleFault ? error : new GoogleFault(500, 'INTERNAL', String(error));
      send(res, fault.httpStatus, { error: { code: fault.httpStatus, message: fault.message, status: fault.status, details: fault.details } }, fault.headers);
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
    projectId,
    location,
    keyRing,
    keyName,
    keyResourceName: defaultKey.name,
    accessToken,
    serviceAccount,
    calls,
    setFaults(next) {
      faults = next;
      faultCounter = 0;
      throttleNext = next.throttle?.next ?? 0;
      errorNext = next.serverError?.next ?? 0;
      corruptNext = next.corruptChecksum?.next ?? 0;
    },
    issueToken,
    addServiceAccount,
    rotateKey(name = keyName) {
      const key = findKey(`${ringName}/cryptoKeys/${name}`);
      key.primary = addVersion(key).number;
      return `${key.name}/cryptoKeyVersions/${key.primary}`;
    },
    setVersionState(versionName, state) {
      findVersion(versionName).version.state = STATE[state];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `npm run emulator -- gcp [--port P]`: prints one JSON line a person can paste into the manager form. */
export async function runStandalone(args: string[]): Promise<GcpKmsEmulator> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } }, strict: true });
  const emulator = await startGcpKmsEmulator({ port: values.port ? Number(values.port) : 0 });
  console.log(
    JSON.stringify({
      emulator: 'gcp',
      endpoint: emulator.endpoint,
      projectId: emulator.projectId,
      location: emulator.location,
      keyRing: emulator.keyRing,
      keyName: emulator.keyName,
      accessToken: emulator.accessToken,
      serviceAccount: emulator.serviceAccount,
      managerConfig: {
        projectId: emulator.projectId,
        location: emulator.location,
        keyRing: emulator.keyRing,
        keyName: emulator.keyName,
        endpoint: emulator.endpoint,
        serviceAccount: emulator.serviceAccount,
      },
    }),
  );
  return emulator;
}
