/**
 * Turns a stored credential (its type's metadata plus its decrypted payload)
 * into the input of the SSH or WinRM tester, and runs it. The payload exists
 * only here, inside the delegate; the report that leaves is masked.
 */
import { ConnectionFailure, type StageListener } from './report.js';
import type { ConnectionReport } from '../../src-shared/connection-report.js';
import { knownHostsFrom, seenHostKey, testSshCredential, type SshCredential } from './ssh/index.js';
import { testWinrmCredential } from './winrm/index.js';
import { defaultWinrmPort, type SecretType } from '../../src-shared/secret-types.js';
import type { KnownHostEntry } from '../../src-shared/delegate-protocol.js';

export class NotACredentialError extends Error {}

export interface ConnectionTestInput {
  type: SecretType;
  metadata: Record<string, unknown>;
  payload: Record<string, string | undefined>;
  target: { host: string; port?: number };
  knownHosts: KnownHostEntry[];
  acceptNewHostKey: boolean;
  mask: (text: string) => string;
  onStage: StageListener;
  timeoutMs: number;
  /** Vault-signed SSH certificates: signs the public key for the user (the Vault manager's SSH engine). */
  signPublicKey?: (publicKey: string, username: string) => Promise<string>;
}

export interface ConnectionTestOutcome {
  report: ConnectionReport;
  seenHostKey: { keyType: string; fingerprint: string; publicKey: string } | null;
}

function sshCredential(type: SecretType, m: Record<string, unknown>, p: Record<string, string | undefined>): SshCredential {
  const username = String(m.username ?? '');
  const passphrase = p.keyPassphrase || undefined;
  switch (type) {
    case 'ssh':
      if (m.auth === 'password') return { kind: 'password', username, password: p.password ?? '' };
      if (m.auth === 'key-path') return { kind: 'key-path', username, path: String(m.keyPath), passphrase };
      return { kind: 'private-key', username, privateKey: p.privateKey ?? '', passphrase };
    case 'ssh-vault-certificate':
      return { kind: 'certificate', username, privateKey: p.privateKey ?? '', passphrase };
    case 'ssh-kerberos': {
      const ticket =
        m.tgtSource === 'keytab'
          ? { source: 'keytab' as const, keytabPath: String(m.keytabPath) }
          : m.tgtSource === 'ticket-cache'
            ? { source: 'ccache' as const, ccachePath: String(m.ticketCache ?? '') }
            : { source: 'password' as const, password: p.password ?? '' };
      return { kind: 'kerberos', principal: String(m.principal), realm: String(m.realm), kdc: m.kdc ? String(m.kdc) : undefined, ticket };
    }
    default:
      throw new NotACredentialError(`A ${type} secret is not an SSH credential.`);
  }
}

export async function runConnectionTest(input: ConnectionTestInput): Promise<ConnectionTestOutcome> {
  const { type, metadata: m, payload: p } = input;
  if (type === 'winrm') {
    const useSsl = m.useSsl === true;
    const report = await testWinrmCredential(
      {
        domain: typeof m.domain === 'string' ? m.domain : undefined,
        username: String(m.username),
        auth: m.auth,
        password: p.password || undefined,
        keytabPath: typeof m.keytabPath === 'string' ? m.keytabPath : undefined,
        realm: typeof m.realm === 'string' ? m.realm : undefined,
        kdc: typeof m.kdc === 'string' ? m.kdc : undefined,
        useSsl,
        skipCertCheck: m.skipCertCheck === true,
        useNoProfile: m.useNoProfile === true,
        port: typeof m.port === 'number' ? m.port : defaultWinrmPort(useSsl),
        allowBasicOverHttp: m.allowBasicOverHttp === true,
      },
      input.target,
      { mask: input.mask, timeoutMs: input.timeoutMs, onStage: input.onStage },
    );
    return { report, seenHostKey: null };
  }
  const credential = sshCredential(type, m, p);
  const report = await testSshCredential(
    credential,
    { host: input.target.host, port: input.target.port ?? (typeof m.port === 'number' ? m.port : 22) },
    {
      knownHosts: knownHostsFrom(input.knownHosts),
      acceptNewHostKey: input.acceptNewHostKey,
      mask: input.mask,
      onStage: input.onStage,
      timeoutMs: input.timeoutMs,
      signPublicKey:
        input.signPublicKey ??
        (async () => {
          throw new ConnectionFailure('INTERNAL', 'Signing this key needs a Vault secret manager with an SSH engine: add one under Managers and choose it in this credential.');
        }),
    },
  );
  return { report, seenHostKey: seenHostKey(report) };
}
