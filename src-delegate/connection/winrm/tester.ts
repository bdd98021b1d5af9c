/**
 * The WinRM connection test: does this credential work on that host, and if
 * not, at which step does it fail? Stages: dns, tcp, tls (skipped over
 * HTTP), handshake (unauthenticated Identify), kerberos (ticket, Kerberos
 * only), auth, probe (`hostname` and `whoami` in a cmd shell).
 */
import { lookup } from 'node:dns/promises';
import { isIP, Socket, connect as netConnect } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { ConnectionFailure, ReportBuilder, type StageListener } from '../report.js';
import type { ConnectionError, ConnectionReport, ReportStage, StageDetail } from '../../../src-shared/connection-report.js';
import { winrmCredentialSchema, winrmTargetSchema, type WinrmCredential, type WinrmTarget, type WinrmTestOptions } from './credential.js';
import { KerberosInitiator, kinit, removeLogin, withKerberosEnvironment, type KerberosLogin } from './kerberos-auth.js';
import {
  createAuthenticateMessage,
  createNegotiateMessage,
  parseAvPairs,
  parseChallengeMessage,
  tlsChannelBindingHash,
  AvId,
  NtlmError,
  type NtlmSecurity,
} from './ntlm.js';
import {
  ConnectionClosedError,
  isEncrypted,
  openBody,
  sealBody,
  WinrmHttp,
  type Challenge,
  type HttpReply,
  type MessageSealer,
} from './transport.js';
import {
  ACTIONS,
  IDENTIFY_BODY,
  RECEIVE_TIMEOUT_FAULT,
  commandBody,
  createShellBody,
  envelope,
  newMessageId,
  parseCommandId,
  parseFault,
  parseIdentify,
  parseReceive,
  parseShellId,
  receiveBody,
  relatesTo,
  signalBody,
  WsmanReplyError,
} from './wsman.js';
import { find, parseXml, XmlError, type XmlElement } from './xml.js';

export interface WinrmTestRunOptions extends WinrmTestOptions {
  /** Each stage as it finishes, already masked: the live log. */
  onStage?: StageListener;
}

const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
const DEFAULT_PROBE = ['hostname', 'whoami'];
/** A server that never says Done must not keep the probe polling forever. */
const MAX_RECEIVES = 200;

/**
 * Tests a WinRM credential against a host. Never throws: every failure is a
 * report with the failed stage and a typed error. Every string in the report
 * and in the live log has passed through `options.mask`.
 */
export async function testWinrmCredential(
  credentialInput: unknown,
  target: WinrmTarget,
  options: WinrmTestRunOptions,
): Promise<ConnectionReport> {
  const parsed = winrmCredentialSchema.safeParse(credentialInput);
  const parsedTarget = winrmTargetSchema.safeParse(target);
  const port = target.port ?? (parsed.success ? parsed.data.port : 0);
  // The listener masks each stage in place, so the stored report and the live log hold the same masked text.
  const report = new ReportBuilder('winrm', target.host, port, (stage) => {
    maskStage(stage, options.mask);
    options.onStage?.(stage);
  });
  if (!parsed.success || !parsedTarget.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(parsedTarget.error?.issues ?? [])].map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return report.finish(maskError({ code: 'INTERNAL', message: `invalid WinRM credential or target: ${issues.join('; ')}` }, options.mask));
  }
  const run = new WinrmTestRun(parsed.data, target.host, port, options, report);
  let error: ConnectionError | null = null;
  try {
    await run.execute();
  } catch (caught) {
    error = toConnectionError(caught);
  } finally {
    await run.dispose();
  }
  return report.finish(error && maskError(error, options.mask));
}

class WinrmTestRun {
  private http?: WinrmHttp;
  private login?: KerberosLogin;
  private sealer?: MessageSealer;
  private peerCertificate?: { raw: Buffer; hash: string };
  /** Basic authenticates each request, unlike NTLM and Kerberos. */
  private basicAuthorization?: string;
  private readonly scheme: 'http' | 'https';

  constructor(
    private readonly credential: WinrmCredential,
    private readonly host: string,
    private readonly port: number,
    private readonly options: WinrmTestRunOptions,
    private readonly report: ReportBuilder,
  ) {
    this.scheme = credential.useSsl ? 'https' : 'http';
  }

  async execute(): Promise<void> {
    const { credential } = this;
    if (credential.auth === 'basic' && !credential.useSsl && !credential.allowBasicOverHttp) {
      throw new ConnectionFailure('ENCRYPTION_REQUIRED', 'Basic over HTTP would send the password unencrypted; use HTTPS or allow it explicitly');
    }
    const addresses = await this.report.run('dns', (details) => this.resolve(details));
    const socket = await this.report.run('tcp', (details) => this.connect(addresses, details));
    let stream: Duplex = socket;
    if (credential.useSsl) {
      stream = await this.report.run('tls', (details) => this.startTls(socket, details));
    } else {
      this.report.record({ stage: 'tls', status: 'skipped', durationMs: 0, details: { reason: 'HTTP transport' } });
    }
    this.http = new WinrmHttp(stream, isIP(this.host) === 6 ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`, this.options.timeoutMs);
    await this.report.run('handshake', (details) => this.identify(details));
    if (credential.auth === 'kerberos') {
      const login = await this.report.run('kerberos', (details) => kinit(credential, this.host, this.options.timeoutMs, details));
      this.login = login;
      await withKerberosEnvironment(login, () => this.authenticateAndProbe());
    } else {
      await this.authenticateAndProbe();
    }
  }

  async dispose(): Promise<void> {
    this.http?.close();
    if (this.login) await removeLogin(this.login);
  }

  private async authenticateAndProbe(): Promise<void> {
    await this.report.run('auth', (details) => this.authenticate(details));
    await this.report.run('probe', (details) => this.probe(details));
  }

  private async resolve(details: Record<string, StageDetail>): Promise<string[]> {
    if (isIP(this.host)) {
      details.addresses = [this.host];
      details.literal = true;
      return [this.host];
    }
    try {
      const found = await withTimeout(lookup(this.host, { all: true }), this.options.timeoutMs, 'name resolution');
      const addresses = found.map((entry) => entry.address);
      details.addresses = addresses;
      return addresses;
    } catch (error) {
      if (error instanceof ConnectionFailure) throw error;
      throw new ConnectionFailure('DNS', `cannot resolve ${this.host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  /** Tries each address in turn; only when all fail does the first failure's kind decide the error. */
  private async connect(addresses: string[], details: Record<string, StageDetail>): Promise<Socket> {
    const failures: string[] = [];
    let firstCode: 'REFUSED' | 'TIMEOUT' | undefined;
    for (const address of addresses) {
      try {
        const socket = await connectTcp(address, this.port, this.options.timeoutMs);
        details.address = address;
        details.port = this.port;
        if (failures.length > 0) details.failedAddresses = failures;
        return socket;
      } catch (error) {
        const failure = error as ConnectionFailure;
        firstCode ??= failure.code === 'TIMEOUT' ? 'TIMEOUT' : 'REFUSED';
        failures.push(`${address}: ${failure.message}`);
      }
    }
    details.failedAddresses = failures;
    throw new ConnectionFailure(firstCode ?? 'REFUSED', `cannot connect to ${this.host}:${this.port} (${failures.join('; ')})`);
  }

  private async startTls(socket: Socket, details: Record<string, StageDetail>): Promise<TLSSocket> {
    const extra = this.options.tlsCa === undefined ? [] : Array.isArray(this.options.tlsCa) ? this.options.tlsCa : [this.options.tlsCa];
    const tls = await new Promise<TLSSocket>((resolve, reject) => {
      // Verification is done below, by hand, so that an untrusted certificate can still be described in the report.
      const secure = tlsConnect({
        socket,
        servername: isIP(this.host) ? undefined : this.host,
        ca: extra.length > 0 ? [...rootCertificates, ...extra] : undefined,
        rejectUnauthorized: false,
      });
      const timer = setTimeout(() => secure.destroy(new ConnectionFailure('TIMEOUT', `no TLS handshake within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(secure);
      });
      secure.once('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof ConnectionFailure ? error : new ConnectionFailure('TLS_UNTRUSTED', `TLS handshake failed: ${error.message}`));
      });
    });
    const certificate = tls.getPeerCertificate(true);
    details.protocol = tls.getProtocol() ?? 'unknown';
    details.subject = formatName(certificate.subject);
    details.issuer = formatName(certificate.issuer);
    details.validFrom = new Date(certificate.valid_from).toISOString();
    details.expires = new Date(certificate.valid_to).toISOString();
    details.fingerprintSha256 = certificate.fingerprint256;
    const identityError = checkServerIdentity(this.host, certificate);
    const problems = [tls.authorizationError ? String(tls.authorizationError) : undefined, identityError?.message].filter((p): p is string => !!p);
    details.chain = problems.length === 0 ? 'trusted' : 'untrusted';
    if (problems.length > 0) details.problems = problems;
    details.skipCertCheck = this.credential.skipCertCheck;
    if (problems.length > 0 && !this.credential.skipCertCheck) {
      tls.destroy();
      throw new ConnectionFailure('TLS_UNTRUSTED', `the server's certificate is not trusted: ${problems.join('; ')}`, {
        subject: details.subject,
        issuer: details.issuer,
        fingerprintSha256: certificate.fingerprint256,
      });
    }
    this.peerCertificate = { raw: certificate.raw, hash: signatureHashOf(certificate) };
    return tls;
  }

  private async identify(details: Record<string, StageDetail>): Promise<void> {
    const reply = await this.exchange({ WSMANIDENTIFY: 'unauthenticated', 'Content-Type': SOAP_CONTENT_TYPE }, Buffer.from(IDENTIFY_BODY));
    if (reply.status !== 200) {
      throw new ConnectionFailure('WSMAN_FAULT', `Identify returned HTTP ${reply.status}: is this a WS-Management endpoint?`, { httpStatus: reply.status });
    }
    const info = parseIdentify(reply.body.toString('utf8'));
    details.protocolVersion = info.protocolVersion;
    details.productVendor = info.productVendor;
    details.productVersion = info.productVersion;
    details.securityProfiles = info.securityProfiles;
  }

  private async authenticate(details: Record<string, StageDetail>): Promise<void> {
    const first = await this.exchange({}, Buffer.alloc(0));
    if (first.status !== 401) {
      throw new ConnectionFailure('AUTH_REJECTED', `expected HTTP 401 listing the server's auth schemes, got ${first.status}`);
    }
    const offered = first.challenges.map((challenge) => challenge.scheme);
    details.schemesOffered = offered;
    const has = (scheme: string) => offered.some((name) => name.toLowerCase() === scheme.toLowerCase());
    switch (this.credential.auth) {
      case 'basic':
        if (!has('Basic')) throw new ConnectionFailure('BASIC_DISABLED', `Basic is disabled on the server; it offers ${offered.join(', ') || 'nothing'}`);
        await this.basic(details);
        break;
      case 'ntlm':
        if (!has('Negotiate') && !has('NTLM')) throw new ConnectionFailure('AUTH_REJECTED', `the server offers neither Negotiate nor NTLM (${offered.join(', ')})`);
        await this.ntlm(has('Negotiate') ? 'Negotiate' : 'NTLM', details);
        break;
      case 'kerberos':
        if (!has('Negotiate') && !has('Kerberos')) throw new ConnectionFailure('AUTH_REJECTED', `the server offers neither Negotiate nor Kerberos (${offered.join(', ')})`);
        await this.kerberos(has('Negotiate') ? 'Negotiate' : 'Kerberos', details);
        break;
    }
    details.messageEncryption = this.sealer?.description ?? (this.credential.useSsl ? 'TLS' : 'none');
  }

  private async basic(details: Record<string, StageDetail>): Promise<void> {
    const { domain, username, password } = this.credential;
    const user = domain ? `${domain}\\${username}` : username;
    details.schemeUsed = 'Basic';
    this.basicAuthorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
    const reply = await this.exchange({}, Buffer.alloc(0));
    if (reply.status === 401) {
      throw new ConnectionFailure(
        'AUTH_REJECTED',
        this.credential.useSsl
          ? 'the server rejected the user name or password'
          : 'the server rejected the credentials (wrong user name or password, or the server refuses unencrypted traffic over HTTP)',
      );
    }
    if (reply.status !== 200) throw await this.replyFailure(reply, false);
  }

  private async ntlm(scheme: 'Negotiate' | 'NTLM', details: Record<string, StageDetail>): Promise<void> {
    details.schemeUsed = scheme === 'Negotiate' ? 'NTLM (via Negotiate)' : 'NTLM';
    const negotiate = createNegotiateMessage();
    const second = await this.exchange({ Authorization: `${scheme} ${negotiate.toString('base64')}` }, Buffer.alloc(0));
    const token = tokenFor(second.challenges, scheme);
    if (second.status !== 401 || !token) {
      throw new ConnectionFailure('AUTH_REJECTED', `the server did not answer the NTLM negotiate message with a challenge (HTTP ${second.status})`);
    }
    let security: NtlmSecurity;
    let authenticate: Buffer;
    try {
      const challenge = parseChallengeMessage(Buffer.from(token, 'base64'));
      describeNtlmServer(challenge.targetInfo, details);
      const result = createAuthenticateMessage({
        username: this.credential.username,
        domain: this.credential.domain ?? '',
        password: this.credential.password ?? '',
        negotiate,
        challenge,
        targetSpn: `HTTP/${this.host}`,
        channelBindingHash: this.peerCertificate && tlsChannelBindingHash(this.peerCertificate.raw, this.peerCertificate.hash),
      });
      security = result.security;
      authenticate = result.message;
    } catch (error) {
      if (error instanceof NtlmError) throw new ConnectionFailure('AUTH_REJECTED', `NTLM: ${error.message}`);
      throw error;
    }
    details.channelBinding = this.peerCertificate !== undefined;
    const third = await this.exchange({ Authorization: `${scheme} ${authenticate.toString('base64')}` }, Buffer.alloc(0));
    if (third.status === 401) throw new ConnectionFailure('AUTH_REJECTED', 'the server rejected the NTLM credentials (user name, domain or password)');
    if (third.status !== 200) throw await this.replyFailure(third, false);
    if (!this.credential.useSsl) {
      this.sealer = {
        protocol: 'application/HTTP-SPNEGO-session-encrypted',
        description: 'NTLM sealing (RC4, HMAC-MD5 signatures with sequence numbers)',
        wrap: async (plain) => {
          const { signature, sealed } = security.seal(plain);
          return { header: signature, data: sealed };
        },
        unwrap: async (header, data) => security.unseal(header, data),
      };
    }
  }

  private async kerberos(scheme: 'Negotiate' | 'Kerberos', details: Record<string, StageDetail>): Promise<void> {
    details.schemeUsed = scheme === 'Negotiate' ? 'Kerberos (via Negotiate)' : 'Kerberos';
    details.servicePrincipal = `HTTP/${this.host}`;
    const initiator = await KerberosInitiator.start(this.login!, this.host);
    const reply = await this.exchange({ Authorization: `${scheme} ${initiator.initialToken}` }, Buffer.alloc(0));
    if (reply.status === 401) throw new ConnectionFailure('AUTH_REJECTED', 'the server rejected the Kerberos ticket');
    if (reply.status !== 200) throw await this.replyFailure(reply, false);
    const token = tokenFor(reply.challenges, scheme);
    if (!token) throw new ConnectionFailure('AUTH_REJECTED', 'the server did not prove its identity (no mutual-authentication token)');
    const sealer = await initiator.complete(token);
    details.mutualAuthentication = true;
    if (!this.credential.useSsl) this.sealer = sealer;
  }

  private async probe(details: Record<string, StageDetail>): Promise<void> {
    const commands = this.options.probeCommands ?? DEFAULT_PROBE;
    details.noProfile = this.credential.useNoProfile;
    const created = await this.wsman(ACTIONS.create, {
      body: createShellBody(),
      options: { WINRS_NOPROFILE: this.credential.useNoProfile ? 'TRUE' : 'FALSE', WINRS_CODEPAGE: '65001' },
    });
    const shellId = parseShellId(created);
    const profileLoaded = find(created, 'ProfileLoaded')?.text.trim();
    if (profileLoaded) details.profileLoaded = profileLoaded.toLowerCase() === 'true';
    const exitCodes: string[] = [];
    let failure: unknown;
    try {
      for (const command of commands) {
        const result = await this.runCommand(shellId, command);
        exitCodes.push(`${command}: ${result.exitCode}`);
        details.exitCodes = [...exitCodes];
        if (command === 'hostname' || command === 'whoami') details[command] = result.stdout.trim();
        if (result.exitCode !== 0) {
          throw new ConnectionFailure('PROBE_FAILED', `\`${command}\` exited with code ${result.exitCode}`, {
            command,
            exitCode: result.exitCode,
            stdout: result.stdout,
            stderr: result.stderr,
          });
        }
      }
    } catch (error) {
      failure = error;
    }
    // The shell is deleted whatever happened; a failed Delete is the error only when nothing failed before it.
    details.shellDeleted = await this.wsman(ACTIONS.delete, { shellId }).then(
      () => true,
      (error: unknown) => {
        failure ??= error;
        return false;
      },
    );
    if (failure !== undefined) throw failure;
  }

  private async runCommand(shellId: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const commandId = parseCommandId(
      await this.wsman(ACTIONS.command, {
        shellId,
        body: commandBody(command),
        options: { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' },
      }),
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exitCode: number | null = null;
    for (let round = 0; exitCode === null; round++) {
      if (round === MAX_RECEIVES) throw new ConnectionFailure('PROBE_FAILED', `\`${command}\` did not finish after ${MAX_RECEIVES} Receive calls`);
      let chunk;
      try {
        chunk = parseReceive(await this.wsman(ACTIONS.receive, { shellId, body: receiveBody(commandId) }));
      } catch (error) {
        if (error instanceof ConnectionFailure && error.details?.wsmanCode === RECEIVE_TIMEOUT_FAULT) continue;
        throw error;
      }
      stdout.push(chunk.stdout);
      stderr.push(chunk.stderr);
      if (chunk.done) exitCode = chunk.exitCode ?? 0;
    }
    await this.wsman(ACTIONS.signal, { shellId, body: signalBody(commandId) });
    return { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), exitCode };
  }

  /** Sends one WS-Man request (sealed when the auth layer encrypts) and returns the reply's envelope. */
  private async wsman(action: string, input: { shellId?: string; body?: string; options?: Record<string, string> }): Promise<XmlElement> {
    const messageId = newMessageId();
    const xml = envelope({ to: `${this.scheme}://${this.host}:${this.port}/wsman`, action, messageId, ...input });
    const plain = Buffer.from(xml, 'utf8');
    let reply: HttpReply;
    if (this.sealer) {
      const { body, contentType } = await sealBody(this.sealer, plain);
      reply = await this.exchange({ 'Content-Type': contentType }, body);
    } else {
      reply = await this.exchange({ 'Content-Type': SOAP_CONTENT_TYPE }, plain);
    }
    if (reply.status !== 200) throw await this.replyFailure(reply, true);
    const root = parseXml((await this.replyText(reply)).toString('utf8'));
    const related = relatesTo(root);
    if (related !== undefined && related !== messageId) throw new WsmanReplyError(`reply relates to ${related}, not to ${messageId}`);
    return root;
  }

  private async replyText(reply: HttpReply): Promise<Buffer> {
    if (!isEncrypted(reply.contentType)) return reply.body;
    if (!this.sealer) throw new WsmanReplyError('the server sent an encrypted reply to an unencrypted request');
    try {
      return await openBody(this.sealer, reply.body);
    } catch (error) {
      throw new WsmanReplyError(`cannot decrypt the reply: ${(error as Error).message}`);
    }
  }

  /** Turns a non-200 reply into a typed failure: a WS-Man fault, refused unencrypted traffic, or rejected credentials. */
  private async replyFailure(reply: HttpReply, afterAuth: boolean): Promise<ConnectionFailure> {
    const body = reply.body.length > 0 ? await this.replyText(reply).catch(() => reply.body) : reply.body;
    if (body.length > 0) {
      try {
        const fault = parseFault(parseXml(body.toString('utf8')));
        if (fault) {
          return new ConnectionFailure('WSMAN_FAULT', `${fault.reason || fault.subcode}${fault.message ? ` (${fault.message})` : ''}`, {
            httpStatus: reply.status,
            faultCode: fault.code,
            faultSubcode: fault.subcode,
            wsmanCode: fault.wsmanCode,
            machine: fault.machine,
          });
        }
      } catch (error) {
        if (!(error instanceof XmlError)) throw error;
      }
    }
    if (afterAuth && reply.status === 401) return new ConnectionFailure('AUTH_REJECTED', 'the server stopped accepting the credentials (HTTP 401)');
    // Windows answers an unencrypted message over HTTP with a bare 500 when AllowUnencrypted is false.
    if (!this.credential.useSsl && !this.sealer && reply.status === 500 && body.length === 0) {
      return new ConnectionFailure('ENCRYPTION_REQUIRED', 'the server refuses unencrypted messages over HTTP (AllowUnencrypted is false); use HTTPS, NTLM or Kerberos');
    }
    return new ConnectionFailure('WSMAN_FAULT', `unexpected HTTP ${reply.status} from the server`, { httpStatus: reply.status });
  }

  private async exchange(headers: Record<string, string>, body: Buffer): Promise<HttpReply> {
    try {
      return await this.http!.send(this.basicAuthorization ? { ...headers, Authorization: this.basicAuthorization } : headers, body);
    } catch (error) {
      if (error instanceof ConnectionClosedError) throw new ConnectionFailure('REFUSED', error.message);
      throw error;
    }
  }
}

function tokenFor(challenges: Challenge[], scheme: string): string | undefined {
  return challenges.find((challenge) => challenge.scheme.toLowerCase() === scheme.toLowerCase() && challenge.param.length > 0)?.param;
}

function describeNtlmServer(targetInfo: Buffer, details: Record<string, StageDetail>): void {
  const names: Record<number, string> = {
    [AvId.NbDomainName]: 'serverNetbiosDomain',
    [AvId.NbComputerName]: 'serverNetbiosName',
    [AvId.DnsDomainName]: 'serverDnsDomain',
    [AvId.DnsComputerName]: 'serverDnsName',
  };
  for (const pair of parseAvPairs(targetInfo)) {
    const name = names[pair.id];
    if (name) details[name] = pair.value.toString('utf16le');
  }
}

function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionFailure('TIMEOUT', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    // Stays attached after connect (rejecting a settled promise does nothing), so a later
    // error never goes unhandled; the TLS and HTTP layers see it through their own listeners.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ConnectionFailure(error.code === 'ETIMEDOUT' ? 'TIMEOUT' : 'REFUSED', error.code ?? error.message));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectionFailure('TIMEOUT', `${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function formatName(name: object | undefined): string {
  if (!name) return '';
  return Object.entries(name as Record<string, string | string[]>)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

/** The certificate's signature hash, which decides the channel binding's hash (RFC 5929). */
function signatureHashOf(certificate: { raw: Buffer }): string {
  const der = certificate.raw.toString('hex');
  // Signature algorithm OIDs of RSA and ECDSA with SHA-384/512; anything else binds with SHA-256.
  if (/06092a864886f70d01010c|06082a8648ce3d040303/.test(der)) return 'sha384';
  if (/06092a864886f70d01010d|06082a8648ce3d040304/.test(der)) return 'sha512';
  return 'sha256';
}

function toConnectionError(error: unknown): ConnectionError {
  if (error instanceof ConnectionFailure) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  if (error instanceof XmlError || error instanceof WsmanReplyError) return { code: 'WSMAN_FAULT', message: `unreadable reply: ${error.message}` };
  return { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) };
}

function maskDetail(value: StageDetail, mask: (text: string) => string): StageDetail {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => mask(item));
  return value;
}

function maskStage(stage: ReportStage, mask: (text: string) => string): void {
  for (const [key, value] of Object.entries(stage.details)) stage.details[key] = maskDetail(value, mask);
}

function maskError(error: ConnectionError, mask: (text: string) => string): ConnectionError {
  const details = error.details && Object.fromEntries(Object.entries(error.details).map(([key, value]) => [key, maskDetail(value, mask)]));
  return { code: error.code, message: mask(error.message), ...(details ? { details } : {}) };
}
