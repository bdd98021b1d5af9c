/**
 * Private keys: read, parse and decrypt them before anything connects, so a
 * bad key is a typed error (ssh2's connect() would throw it synchronously,
 * untyped), and hand the system client a copy it can use without asking for
 * a passphrase.
 */
import { createPrivateKey } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ParsedKey } from 'ssh2';
import { ssh2 } from '../../ssh2-package.js';
import { ConnectionFailure } from '../report.js';
import { fingerprintOf } from './known-hosts.js';
import type { PrivateDir } from './private-dir.js';
import { runTool, toolEnv } from '../tool.js';

const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface PrivateKey {
  /** The key in a format the system client reads, still encrypted if it was. */
  text: string;
  parsed: ParsedKey;
  encrypted: boolean;
  keyType: string;
  /** `type base64` as in authorized_keys, for signing. */
  publicKeyLine: string;
  fingerprint: string;
}

/**
 * OpenSSH's own format and the PEM formats both ssh2 and OpenSSH read.
 * PuTTY keys are refused even though ssh2 reads them, so that a key behaves
 * the same in every kind of test and as it does with `ssh -i`.
 */
const SUPPORTED_BEGIN = /^-----BEGIN (OPENSSH|RSA|EC|DSA) PRIVATE KEY-----\n/;
const PKCS8_BEGIN = /^-----BEGIN (ENCRYPTED )?PRIVATE KEY-----\n/;

export function parsePrivateKey(text: string, passphrase?: string): PrivateKey {
  let normalized = `${text.trim().replace(/\r\n/g, '\n')}\n`;
  if (PKCS8_BEGIN.test(normalized)) normalized = fromPkcs8(normalized, passphrase);
  if (!SUPPORTED_BEGIN.test(normalized)) throw unsupported(normalized);
  const encrypted = isEncryptedError(ssh2().utils.parseKey(normalized));
  const result = ssh2().utils.parseKey(normalized, passphrase);
  if (result instanceof Error) {
    if (isEncryptedError(result)) {
      throw wrongPassphrase(passphrase);
    }
    throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', `The key cannot be read: ${result.message}.`);
  }
  const parsed = Array.isArray(result) ? result[0] : result;
  if (!parsed?.isPrivateKey()) throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', 'The key holds no private key.');
  const blob = parsed.getPublicSSH();
  return {
    text: normalized,
    parsed,
    encrypted,
    keyType: parsed.type,
    publicKeyLine: `${parsed.type} ${blob.toString('base64')}`,
    fingerprint: fingerprintOf(blob),
  };
}

/** Reads a key file on this machine, refusing anything too large to be a key. */
export async function readKeyFile(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size > MAX_KEY_FILE_BYTES) throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', `${path} is too large to be a private key.`);
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof ConnectionFailure) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', `Cannot read the key file ${path} (${code}).`, { path });
  } finally {
    await handle?.close();
  }
}

/**
 * Writes the key to a 0600 file for the system client. BatchMode forbids
 * passphrase prompts, so an encrypted key is decrypted in the private folder:
 * `ssh-keygen -p` reads the old and the (empty) new passphrase from stdin when
 * stdin is not a terminal and no askpass is configured, which toolEnv ensures.
 */
export async function writeKeyForOpenSsh(dir: PrivateDir, key: PrivateKey, passphrase: string | undefined, timeoutMs: number): Promise<string> {
  const path = await dir.write('id', key.text);
  if (!key.encrypted) return path;
  const run = await runTool('ssh-keygen', ['-q', '-p', '-f', path], {
    env: toolEnv(dir.path),
    stdin: `${passphrase ?? ''}\n\n\n`,
    timeoutMs,
  });
  if (run.status !== 0) throw new ConnectionFailure('WRONG_PASSPHRASE', `ssh-keygen could not decrypt the key: ${run.stderr.trim()}`);
  return path;
}

/**
 * ssh2 cannot read PKCS#8, which `ssh -i` reads for RSA and ECDSA keys, so
 * those are re-encoded as the equivalent classic PEM (decrypted: the copy
 * lives only in memory and in the private folder). OpenSSH 9.2 cannot read
 * PKCS#8 Ed25519 keys either; they stay unsupported.
 */
function fromPkcs8(pem: string, passphrase: string | undefined): string {
  let key;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (error) {
    if (pem.includes('ENCRYPTED')) {
      throw wrongPassphrase(passphrase);
    }
    throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', `The PKCS#8 key cannot be read: ${(error as Error).message}.`);
  }
  if (key.asymmetricKeyType === 'rsa') return key.export({ type: 'pkcs1', format: 'pem' }).toString();
  if (key.asymmetricKeyType === 'ec') return key.export({ type: 'sec1', format: 'pem' }).toString();
  throw new ConnectionFailure(
    'UNSUPPORTED_KEY_FORMAT',
    `PKCS#8 ${key.asymmetricKeyType ?? ''} keys are not supported (nor by OpenSSH's ssh); convert the key with \`ssh-keygen -p -f <file>\`.`,
  );
}

function wrongPassphrase(passphrase: string | undefined): ConnectionFailure {
  return new ConnectionFailure(
    'WRONG_PASSPHRASE',
    passphrase === undefined ? 'The key is encrypted and no passphrase was given.' : 'The passphrase does not decrypt the key.',
  );
}

function isEncryptedError(result: ParsedKey | ParsedKey[] | Error): boolean {
  return result instanceof Error && /passphrase/i.test(result.message);
}

function unsupported(text: string): ConnectionFailure {
  if (/^(ssh-|ecdsa-|sk-)/.test(text)) {
    return new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', 'This is a public key; the credential needs the private key.');
  }
  if (/^PuTTY-User-Key-File/.test(text)) {
    return new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', 'PuTTY keys are not supported; export the key in OpenSSH format with puttygen.');
  }
  return new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', 'Not a private key in OpenSSH or PEM format.');
}
