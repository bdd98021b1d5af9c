/**
 * Checks a secret's payload where only the delegate can: after opening it.
 * Validates it against its type, applies the rules that span metadata and
 * payload, parses SSH keys (PEM, PKCS#8 and OpenSSH; rsa, ecdsa, ed25519) so a
 * malformed key or a wrong passphrase is refused at entry, and returns the
 * facts main may keep: the key's type and SHA256 fingerprint, a file's size.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { ConnectionFailure } from './connection/report.js';
import { parsePrivateKey, type PrivateKey } from './connection/ssh/private-key.js';
import { crossFieldIssues, secretPayloadSchemas, type FieldIssue, type SecretType } from '../src-shared/secret-types.js';
import type { SecretFacts } from '../src-shared/delegate-protocol.js';

export class InvalidSecretError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  }
}

/**
 * Parses a private key the way the connection tester does (PKCS#8 RSA and ECDSA
 * keys re-encoded first, as `ssh -i` reads them), so a key accepted here is one
 * the tester can use; throws InvalidSecretError naming the field at fault.
 */
export function inspectPrivateKey(key: string | Buffer, passphrase: string | undefined, field: string): SecretFacts {
  let parsed: PrivateKey;
  try {
    parsed = parsePrivateKey(key.toString(), passphrase);
  } catch (error) {
    if (!(error instanceof ConnectionFailure)) throw error;
    if (error.code === 'WRONG_PASSPHRASE') {
      throw new InvalidSecretError([{ path: 'keyPassphrase', message: passphrase === undefined ? 'This key is encrypted: give its passphrase' : 'Wrong passphrase for this key' }]);
    }
    if (/public key/.test(error.message)) throw new InvalidSecretError([{ path: field, message: 'This is a public key; give the private key' }]);
    throw new InvalidSecretError([{ path: field, message: 'Not a private key in PEM, PKCS#8 or OpenSSH format (rsa, ecdsa or ed25519)' }]);
  }
  // Whether there is a passphrase at all, so the UI shows "none" instead of a masked nothing.
  return { keyType: parsed.keyType, fingerprint: parsed.fingerprint, keyPassphrase: passphrase ? 'set' : 'none' };
}

function expandHome(path: string): string {
  return path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}

/** Validates a payload against its type and metadata; returns the facts to store. */
export async function inspectSecret(type: SecretType, metadata: Record<string, unknown>, rawPayload: string): Promise<SecretFacts> {
  let payload: unknown = rawPayload;
  if (type !== 'text') {
    try {
      payload = JSON.parse(rawPayload);
    } catch {
      throw new InvalidSecretError([{ path: 'payload', message: 'The sealed payload is not JSON' }]);
    }
  }
  const parsed = secretPayloadSchemas[type].safeParse(payload);
  if (!parsed.success) {
    throw new InvalidSecretError(parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || 'value', message: issue.message })));
  }
  const issues = crossFieldIssues(type, metadata, parsed.data);
  if (issues.length > 0) throw new InvalidSecretError(issues);

  const data = parsed.data as Record<string, string | undefined>;
  switch (type) {
    case 'file': {
      const size = Buffer.from(data.contentBase64 ?? '', 'base64').length;
      if (typeof metadata.size === 'number' && metadata.size !== size) {
        throw new InvalidSecretError([{ path: 'file', message: `The file is ${size} bytes, not the ${metadata.size} announced` }]);
      }
      return { size };
    }
    case 'ssh':
      if (metadata.auth === 'key') return inspectPrivateKey(data.privateKey!, data.keyPassphrase || undefined, 'privateKey');
      if (metadata.auth === 'key-path') {
        let key: Buffer;
        try {
          key = await readFile(expandHome(String(metadata.keyPath)));
        } catch {
          throw new InvalidSecretError([{ path: 'keyPath', message: 'This key file cannot be read on this machine' }]);
        }
        return inspectPrivateKey(key, data.keyPassphrase || undefined, 'keyPath');
      }
      return {};
    case 'ssh-vault-certificate':
      return inspectPrivateKey(data.privateKey!, data.keyPassphrase || undefined, 'privateKey');
    default:
      return {};
  }
}
