/**
 * Tests one SSH credential against one host and reports, stage by stage,
 * how far it got: dns → tcp → handshake → [kerberos] → auth → probe.
 *
 * Passwords and keys log in through ssh2. Certificates and Kerberos log in
 * through the system OpenSSH client, which ssh2 cannot replace there (see
 * docs/ssh-testing.md); ssh2 still does their handshake, so the host key is
 * checked the same way for every kind, and ssh is then told to trust only
 * that key.
 */
import { ConnectionFailure, ReportBuilder, type StageListener } from '../report.js';
import type { ConnectionError, ConnectionReport, StageDetail } from '../../../src-shared/connection-report.js';
import { checkCertificate, certificateDetails, inspectCertificate } from './certificate.js';
import type { z } from 'zod';
import {
  sshCredentialSchema,
  sshTargetSchema,
  type KerberosCredential,
  type SshCertificateCredential,
  type SshCredential,
  type SshTarget,
  type SshTargetInput,
} from './credential.js';
import { obtainTickets } from './kerberos.js';
import type { KnownHostKey, KnownHosts } from './known-hosts.js';
import { maskReport, maskStage, type Mask } from './mask-report.js';
import { connectTcp, resolveHost } from './network.js';
import { PROBE_COMMAND, startOpenSshLogin, type OpenSshAuth } from './openssh-client.js';
import { PrivateDir } from './private-dir.js';
import { parsePrivateKey, readKeyFile, writeKeyForOpenSsh } from './private-key.js';
import { Ssh2Session, type AuthAnswer, type AuthAttempt } from './ssh2-session.js';

/** Long enough for a wrong password, which PAM answers only after ~3 s. */
export const DEFAULT_STAGE_TIMEOUT_MS = 20_000;

export interface SshTestOptions {
  /** The keys the user has accepted; main's store. */
  knownHosts: KnownHosts;
  /** Trust a host with no known key on first use (the UI's accept button, `--accept-new-host-key`). Never overrides a changed key. */
  acceptNewHostKey?: boolean;
  /** The delegate's sanitizer; every string of the report and of each live stage passes through it. */
  mask: Mask;
  /** Sees each stage as it finishes, already masked, for a live log. */
  onStage?: StageListener;
  /**
   * Signs an OpenSSH public key line (`ssh-ed25519 AAAA…`) for the user the
   * test logs in as (Vault's `valid_principals`) and returns the certificate
   * line; used for a certificate credential without a certificate. Throw a
   * ConnectionFailure to choose the report's error code; anything else is
   * reported as AUTH_REJECTED.
   */
  signPublicKey?: (publicKey: string, username: string) => Promise<string>;
  /** Deadline of each network stage in ms; default DEFAULT_STAGE_TIMEOUT_MS. */
  timeoutMs?: number;
}

type Details = Record<string, StageDetail>;

interface Run {
  credential: SshCredential;
  target: SshTarget;
  options: SshTestOptions;
  timeoutMs: number;
  builder: ReportBuilder;
}

/**
 * Tests one credential against one host and returns the masked report.
 *
 * Never throws: every failure, including an invalid credential, is the
 * report's typed error. Register the credential's secrets with the sanitizer
 * before calling, so that `mask` knows them.
 */
export async function testSshCredential(credential: SshCredential, target: SshTargetInput, options: SshTestOptions): Promise<ConnectionReport> {
  const { onStage, mask } = options;
  const builder = new ReportBuilder(reportKind(credential), target.host, target.port ?? 22, onStage && ((stage) => onStage(maskStage(stage, mask))));
  let error: ConnectionError | null = null;
  try {
    // Checked here whatever the caller did: these values end up in generated files and command lines.
    const run: Run = {
      credential: parseInput(sshCredentialSchema, credential, 'credential'),
      target: parseInput(sshTargetSchema, target, 'target'),
      options,
      timeoutMs: options.timeoutMs ?? DEFAULT_STAGE_TIMEOUT_MS,
      builder,
    };
    if (run.credential.kind === 'certificate' || run.credential.kind === 'kerberos') await testWithOpenSsh(run, run.credential);
    else await testWithSsh2(run);
  } catch (failure) {
    error = toConnectionError(failure);
  }
  return maskReport(builder.finish(error), mask);
}

/** Names the invalid fields, never their values (which may be secrets). */
function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || what}: ${issue.message}`).join('; ');
  throw new ConnectionFailure('INTERNAL', `Invalid ${what}: ${problems}`);
}

function reportKind(credential: SshCredential): ConnectionReport['kind'] {
  if (credential.kind === 'kerberos') return 'ssh-kerberos';
  if (credential.kind === 'certificate') return 'ssh-vault-certificate';
  return 'ssh';
}

async function testWithSsh2(run: Run): Promise<void> {
  const { builder, credential } = run;
  const session = await connect(run, sshUsername(credential));
  try {
    await builder.run('auth', async (details) => {
      const offered = await session.offeredMethods();
      if (offered.accepted) {
        details.used = 'none';
        return;
      }
      details.offered = offered.methods;
      const attempt = await authAttempt(credential, offered.methods, details);
      if (!offered.methods.includes(attempt.type)) {
        throw new ConnectionFailure('AUTH_REJECTED', `The server does not accept ${attempt.type} authentication; it allows ${offered.methods.join(', ')}.`, {
          allowed: offered.methods,
        });
      }
      const answer = await session.authenticate(attempt);
      if (!answer.accepted) throw rejection(attempt, answer);
      details.used = attempt.type;
    });
    await builder.run('probe', async (details) => {
      details.command = PROBE_COMMAND;
      const result = await session.exec(PROBE_COMMAND);
      if (result.code !== 0) throw probeFailure(result.code, result.stderr);
      details.output = result.stdout.trim();
    });
  } finally {
    session.close();
  }
}

/** ssh2 logs in without touching the disk; the system client needs the private folder for its files. */
async function testWithOpenSsh(run: Run, credential: SshCertificateCredential | KerberosCredential): Promise<void> {
  const { builder, target, timeoutMs } = run;
  const username = sshUsername(credential);
  const session = await connect(run, username);
  session.close();
  const hostKey = session.hostKey!;
  const dir = await PrivateDir.create();
  try {
    let prepare: (details: Details) => Promise<OpenSshAuth>;
    if (credential.kind === 'kerberos') {
      const env = await builder.run('kerberos', (details) => obtainTickets(credential, target.host, dir, timeoutMs, details));
      prepare = async () => ({ kind: 'gssapi', env });
    } else {
      prepare = (details) => prepareCertificate(run, dir, credential, username, details);
    }

    const login = await builder.run('auth', async (details) => {
      const auth = await prepare(details);
      const started = await startOpenSshLogin({ dir, host: target.host, port: target.port, username, hostKey, auth, timeoutMs });
      try {
        const { method, offered } = await started.authenticated;
        Object.assign(details, { offered, used: method });
        return started;
      } catch (error) {
        if (error instanceof ConnectionFailure && error.details?.allowed) details.offered = error.details.allowed;
        throw error;
      }
    });
    await builder.run('probe', async (details) => {
      details.command = PROBE_COMMAND;
      const result = await login.finished;
      if (result.timedOut) throw new ConnectionFailure('TIMEOUT', `\`${PROBE_COMMAND}\` did not finish in time.`);
      if (result.status !== 0) throw probeFailure(result.status, result.stderr);
      details.output = result.stdout.trim();
    });
  } finally {
    await dir.remove();
  }
}

/** The dns, tcp and handshake stages, shared by every kind: ends with a host key checked against the store. */
async function connect(run: Run, username: string): Promise<Ssh2Session> {
  const { builder, target, options, timeoutMs } = run;
  const addresses = await builder.run('dns', (details) => resolveHost(target.host, details));
  const socket = await builder.run('tcp', (details) => connectTcp(addresses, target.port, timeoutMs, details));
  let known: KnownHostKey[] = [];
  let session: Ssh2Session | null = null;
  try {
    return await builder.run('handshake', async (details) => {
      known = [...(await options.knownHosts.lookup(target.host, target.port))];
      session = new Ssh2Session(socket, {
        host: target.host,
        port: target.port,
        username,
        knownKeys: known,
        acceptNewHostKey: options.acceptNewHostKey ?? false,
        timeoutMs,
      });
      try {
        await session.handshake();
        return session;
      } finally {
        describeHostKey(session, known, details);
      }
    });
  } catch (error) {
    (session as Ssh2Session | null)?.close();
    socket.destroy();
    throw error;
  }
}

function describeHostKey(session: Ssh2Session, known: KnownHostKey[], details: Details): void {
  if (!session.hostKey) return;
  Object.assign(details, {
    hostKeyType: session.hostKey.keyType,
    fingerprint: session.hostKey.fingerprint,
    publicKey: session.hostKey.publicKey,
    hostKey: session.hostKeyStatus,
  });
  if (session.hostKeyStatus === 'changed') {
    details.knownKeyTypes = known.map((key) => key.keyType);
    details.knownFingerprints = known.map((key) => key.fingerprint);
  }
}

/** A password goes through `password`, or through `keyboard-interactive` where the server takes it only that way. */
async function authAttempt(credential: SshCredential, offered: string[], details: Details): Promise<AuthAttempt> {
  if (credential.kind === 'password') {
    const type = !offered.includes('password') && offered.includes('keyboard-interactive') ? 'keyboard-interactive' : 'password';
    return { type, password: credential.password };
  }
  if (credential.kind !== 'private-key' && credential.kind !== 'key-path') {
    throw new ConnectionFailure('INTERNAL', `${credential.kind} credentials do not log in through ssh2.`);
  }
  const text = credential.kind === 'key-path' ? await readKeyFile(credential.path) : credential.privateKey;
  const key = parsePrivateKey(text, credential.passphrase);
  Object.assign(details, { keyType: key.keyType, keyFingerprint: key.fingerprint });
  return { type: 'publickey', key: key.parsed };
}

function rejection(attempt: AuthAttempt, answer: Extract<AuthAnswer, { accepted: false }>): ConnectionFailure {
  const details = { allowed: answer.methods, partialSuccess: answer.partialSuccess };
  if (answer.unansweredPrompts.length > 0) {
    return new ConnectionFailure('AUTH_REJECTED', `The server asked for more than a password: ${answer.unansweredPrompts.join(' / ')}`, {
      ...details,
      prompts: answer.unansweredPrompts,
    });
  }
  if (answer.partialSuccess) {
    return new ConnectionFailure('AUTH_REJECTED', `The server accepted the credential but requires a further method. It allows: ${answer.methods.join(', ')}.`, details);
  }
  const what = attempt.type === 'publickey' ? 'the key' : 'the password';
  return new ConnectionFailure('AUTH_REJECTED', `The server rejected ${what}. It allows: ${answer.methods.join(', ')}.`, details);
}

/** Gets the certificate (given, or signed now), checks it as a server would, and writes key and certificate for ssh. */
async function prepareCertificate(
  run: Run,
  dir: PrivateDir,
  credential: SshCertificateCredential,
  username: string,
  details: Details,
): Promise<OpenSshAuth> {
  const { timeoutMs, options } = run;
  const key = parsePrivateKey(credential.privateKey, credential.passphrase);
  Object.assign(details, { keyType: key.keyType, keyFingerprint: key.fingerprint, certificateSource: credential.certificate ? 'stored' : 'signed' });
  const certificate = credential.certificate ?? (await sign(options, key.publicKeyLine, username));
  const { path: certificatePath, info } = await inspectCertificate(dir, certificate, timeoutMs);
  Object.assign(details, certificateDetails(info));
  checkCertificate(info, username, key.fingerprint, new Date());
  const keyPath = await writeKeyForOpenSsh(dir, key, credential.passphrase, timeoutMs);
  return { kind: 'certificate', keyPath, certificatePath };
}

async function sign(options: SshTestOptions, publicKey: string, username: string): Promise<string> {
  if (!options.signPublicKey) throw new ConnectionFailure('INTERNAL', 'The credential has no certificate and no signer was given.');
  try {
    return await options.signPublicKey(publicKey, username);
  } catch (error) {
    if (error instanceof ConnectionFailure) throw error;
    throw new ConnectionFailure('AUTH_REJECTED', `The public key was not signed: ${(error as Error).message}`);
  }
}

function sshUsername(credential: SshCredential): string {
  if (credential.kind !== 'kerberos') return credential.username;
  return credential.username ?? credential.principal.split('/')[0]!;
}

/** Names the probe's exit status and its last line of error output, skipping the system client's own log lines. */
function probeFailure(code: number | null, stderr: string): ConnectionFailure {
  const lines = stderr.split('\n').filter((line) => line.trim() && !/^(debug\d|OpenSSH_|Authenticated to|Transferred:|Bytes per second)/.test(line));
  return new ConnectionFailure('PROBE_FAILED', `\`${PROBE_COMMAND}\` exited with status ${code ?? 'unknown'}: ${lines.at(-1)?.trim() ?? 'no message'}`, {
    exitStatus: code,
  });
}

function toConnectionError(error: unknown): ConnectionError {
  if (error instanceof ConnectionFailure) {
    return error.details ? { code: error.code, message: error.message, details: error.details } : { code: error.code, message: error.message };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
