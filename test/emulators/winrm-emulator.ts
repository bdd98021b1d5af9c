/**
 * A WS-Management server for tests, since no WinRM server runs on Linux.
 *
 * It implements what a connection test and pywinrm's run_cmd use: Identify
 * (unauthenticated), and Create / Command / Receive / Signal / Delete for the
 * cmd shell, with WS-Man faults for unknown shells and actions. Auth is real,
 * not accept-anything: Basic checks the user name and password; NTLM checks
 * the NTLMv2 response (HMAC-MD5 keyed by NTOWFv2, from MD4 of the UTF-16LE
 * password), the MIC and, over HTTPS, the channel binding; Kerberos goes
 * through the `kerberos` addon's acceptor with a keytab for HTTP/localhost.
 * Over HTTP it seals and unseals messages (NTLM RC4/HMAC-MD5, Kerberos RFC
 * 4121) and, like Windows with AllowUnencrypted false, refuses unencrypted
 * ones with a bare HTTP 500.
 *
 * Checked against Debian's pywinrm in winrm-emulator.test.ts, so it is not
 * merely tuned to our client. Binds 127.0.0.1 only.
 *
 * The cmd shell knows `hostname` (WIN-EMULATOR), `whoami` (domain\user),
 * `echo …`, `exit N` (exit code N) and `a & b`; anything else fails with
 * exit code 1 as cmd does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import {
  CfxContext,
  krb5MessageFromGss,
  parseApReq,
  sessionKeysFrom,
  ticketSessionKey,
  type Key,
} from '../../src-delegate/connection/winrm/kerberos-crypto.js';
import {
  AV_FLAG_MIC_PRESENT,
  AvId,
  NtlmFlags,
  NtlmSecurity,
  encodeAvPairs,
  hmacMd5,
  ntowfv2,
  parseAvPairs,
  readField,
  tlsChannelBindingHash,
  windowsTimestamp,
} from '../../src-delegate/connection/winrm/ntlm.js';
import { Rc4 } from '../../src-delegate/connection/winrm/rc4.js';
import { isEncrypted, sealBody, splitEncryptedBody, type MessageSealer } from '../../src-delegate/connection/winrm/transport.js';
import { ACTIONS, COMMAND_STATE_DONE, NS, parseFault } from '../../src-delegate/connection/winrm/wsman.js';
import { attr, escapeXml, find, findAll, parseXml, type XmlElement } from '../../src-delegate/connection/winrm/xml.js';

export interface EmulatorUser {
  username: string;
  /** For Basic and NTLM. */
  password?: string;
  /** Blank for a local account of the emulated machine. */
  domain?: string;
  /** For Kerberos, e.g. `alice@EXAMPLE.TEST`. */
  principal?: string;
  /** False makes Create fail with an AccessDenied fault, like a user outside Remote Management Users. */
  allowShell?: boolean;
}

export interface WinrmEmulatorOptions {
  /** 0 or absent: a free port. */
  port?: number;
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Windows' default is off. */
  basicEnabled?: boolean;
  /** Windows' default is off: unencrypted messages over HTTP get HTTP 500. */
  allowUnencrypted?: boolean;
  /**
   * Accept Kerberos for HTTP/localhost with this keytab. MIT reads the keytab
   * from the real environment, so the emulator must then run on the main
   * thread of its own process (see runStandalone), not in a test worker.
   */
  kerberos?: { keytabPath: string; env?: Record<string, string> };
  users: EmulatorUser[];
}

export interface WinrmEmulator {
  endpoint: string;
  port: number;
  credentials: EmulatorUser[];
  close(): Promise<void>;
}

export const EMULATOR_HOSTNAME = 'WIN-EMULATOR';
const NETBIOS_DOMAIN = 'EMULATOR';
const DNS_DOMAIN = 'emulator.test';
const SERVICE = 'HTTP@localhost';
const MAX_BODY = 1024 * 1024;
const SPNEGO_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';

interface Identity {
  user: EmulatorUser;
  /** What whoami prints. */
  account: string;
}

type ServerSecurity = { kind: 'ntlm'; security: NtlmSecurity } | { kind: 'kerberos'; cfx: CfxContext };

/** Per TCP connection: NTLM and Kerberos authenticate the connection, not the request. */
interface ConnectionState {
  ntlmPending?: { scheme: string; negotiate: Buffer; challenge: Buffer; serverChallenge: Buffer };
  identity?: Identity;
  security?: ServerSecurity;
}

interface Command {
  stdout: string;
  stderr: string;
  exitCode: number;
  received: number;
}

interface Shell {
  owner: EmulatorUser;
  noProfile: boolean;
  commands: Map<string, Command>;
}

class AuthRejected extends Error {}

export async function startWinrmEmulator(options: WinrmEmulatorOptions): Promise<WinrmEmulator> {
  const secure = options.https !== undefined;
  const connections = new WeakMap<Socket, ConnectionState>();
  const shells = new Map<string, Shell>();
  const certificateDer = options.https ? new X509Certificate(options.https.cert).raw : undefined;
  const savedEnv: Record<string, string | undefined> = {};
  let serviceKeys: KeytabEntry[] = [];
  if (options.kerberos) {
    if (!isMainThread) throw new Error('the Kerberos emulator must run on a main thread: MIT reads KRB5_KTNAME from the real environment');
    const env = { ...options.kerberos.env, KRB5_KTNAME: `FILE:${options.kerberos.keytabPath}` };
    for (const [name, value] of Object.entries(env)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    serviceKeys = readKeytab(readFileSync(options.kerberos.keytabPath));
  }

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const state = connections.get(request.socket) ?? {};
      connections.set(request.socket, state);
      handle(request, Buffer.concat(chunks), state).then(
        (reply) => send(response, reply),
        (error: unknown) => send(response, { status: 500, headers: { 'X-Emulator-Error': String((error as Error).message).replace(/[^\x20-\x7e]/g, '?') } }),
      );
    });
  };

  async function handle(request: IncomingMessage, body: Buffer, state: ConnectionState): Promise<Reply> {
    if (request.method !== 'POST' || (request.url ?? '').split('?')[0]!.toLowerCase() !== '/wsman') return { status: 404 };
    if (String(request.headers.wsmanidentify ?? '').toLowerCase() === 'unauthenticated') return identify(body);

    const authorization = request.headers.authorization ?? '';
    const [scheme = '', token = ''] = authorization.split(/\s+/, 2);
    let identity = state.identity;
    const extraHeaders: Record<string, string> = {};
    try {
      if (/^basic$/i.test(scheme)) {
        if (!options.basicEnabled) return challenge();
        identity = basic(token);
      } else if (/^(negotiate|ntlm)$/i.test(scheme) && Buffer.from(token, 'base64').subarray(0, 8).toString('latin1') === 'NTLMSSP\0') {
        const step = ntlm(scheme, Buffer.from(token, 'base64'), state, request.socket);
        if (step) return step;
        identity = state.identity;
      } else if (/^(negotiate|kerberos)$/i.test(scheme) && token) {
        const mutual = await kerberosAccept(token, state);
        extraHeaders['WWW-Authenticate'] = `${scheme} ${mutual}`;
        identity = state.identity;
      } else if (scheme) {
        return challenge();
      }
    } catch (error) {
      if (error instanceof AuthRejected) {
        delete state.identity;
        delete state.security;
        return challenge();
      }
      throw error;
    }
    if (!identity) return challenge();
    if (body.length === 0) return { status: 200, headers: extraHeaders };

    const contentType = request.headers['content-type'] ?? '';
    if (isEncrypted(contentType)) {
      const sealer = state.security && sealerFor(state.security);
      if (!sealer || !contentType.includes(SPNEGO_PROTOCOL)) return { status: 400, headers: extraHeaders };
      const { length, header, data } = splitEncryptedBody(body);
      const plain = await sealer.unwrap(header, data);
      if (plain.length !== length) throw new Error('decrypted length differs from the declared length');
      const reply = dispatch(plain.toString('utf8'), identity);
      const sealed = await sealBody(sealer, Buffer.from(reply.xml, 'utf8'));
      return { status: reply.status, body: sealed.body, headers: { ...extraHeaders, 'Content-Type': sealed.contentType } };
    }
    if (!secure && !options.allowUnencrypted) return { status: 500, headers: extraHeaders };
    const reply = dispatch(body.toString('utf8'), identity);
    return { status: reply.status, body: Buffer.from(reply.xml, 'utf8'), headers: { ...extraHeaders, 'Content-Type': 'application/soap+xml;charset=UTF-8' } };
  }

  function challenge(): Reply {
    const offers = ['Negotiate'];
    if (options.kerberos) offers.push('Kerberos');
    if (options.basicEnabled) offers.push('Basic realm="WSMAN"');
    return { status: 401, headers: { 'WWW-Authenticate': offers } };
  }

  function basic(token: string): Identity {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AuthRejected();
    const [domain, username] = splitAccount(decoded.slice(0, colon));
    const user = findUser(username, domain);
    if (!user?.password || !equalStrings(user.password, decoded.slice(colon + 1))) throw new AuthRejected();
    return identityOf(user);
  }

  /** NTLM server side: answers a NEGOTIATE with a CHALLENGE, verifies the AUTHENTICATE. Returns a reply only for the 401 step. */
  function ntlm(scheme: string, message: Buffer, state: ConnectionState, socket: Socket): Reply | undefined {
    const type = message.readUInt32LE(8);
    if (type === 1) {
      const serverChallenge = randomBytes(8);
      const challenge = challengeMessage(message.readUInt32LE(12), serverChallenge);
      state.ntlmPending = { scheme, negotiate: message, challenge, serverChallenge };
      delete state.identity;
      delete state.security;
      return { status: 401, headers: { 'WWW-Authenticate': `${scheme} ${challenge.toString('base64')}` } };
    }
    const pending = state.ntlmPending;
    delete state.ntlmPending;
    if (type !== 3 || !pending) throw new AuthRejected();
    const verified = verifyAuthenticate(message, pending, certificateDer && (socket as Socket & { encrypted?: boolean }).encrypted ? certificateDer : undefined);
    state.identity = identityOf(verified.user);
    state.security = { kind: 'ntlm', security: new NtlmSecurity(verified.exportedSessionKey, 'server') };
    return undefined;
  }

  function verifyAuthenticate(
    message: Buffer,
    pending: NonNullable<ConnectionState['ntlmPending']>,
    certificate: Buffer | undefined,
  ): { user: EmulatorUser; exportedSessionKey: Buffer } {
    const flags = message.readUInt32LE(60);
    const text = (at: number) => readField(message, at).toString(flags & NtlmFlags.UNICODE ? 'utf16le' : 'latin1');
    const domain = text(28);
    const username = text(36);
    const user = findUser(username, domain);
    if (!user?.password) throw new AuthRejected();
    const ntResponse = readField(message, 20);
    if (ntResponse.length < 16 + 28) throw new AuthRejected(); // NTLMv1 and anonymous are refused
    const proof = ntResponse.subarray(0, 16);
    const temp = ntResponse.subarray(16);
    // The domain goes into NTOWFv2 exactly as the client sent it; only the user name is upper-cased.
    const key = ntowfv2(user.password, username, domain);
    if (!timingSafeEqual(proof, hmacMd5(key, pending.serverChallenge, temp))) throw new AuthRejected();

    const clientPairs = parseAvPairs(temp.subarray(28));
    const bindings = clientPairs.find((pair) => pair.id === AvId.ChannelBindings)?.value;
    // Like CbtHardeningLevel=Relaxed: a binding is checked when the client sends one.
    if (certificate && bindings && bindings.some((byte) => byte !== 0)) {
      if (!bindings.equals(tlsChannelBindingHash(certificate, 'sha256'))) throw new AuthRejected();
    }
    const keyExchangeKey = hmacMd5(key, proof);
    const encryptedKey = readField(message, 52);
    const exportedSessionKey = flags & NtlmFlags.KEY_EXCH && encryptedKey.length === 16 ? new Rc4(keyExchangeKey).update(encryptedKey) : keyExchangeKey;
    const avFlags = clientPairs.find((pair) => pair.id === AvId.Flags)?.value.readUInt32LE(0) ?? 0;
    if (avFlags & AV_FLAG_MIC_PRESENT) {
      const mic = Buffer.from(message.subarray(72, 88));
      const zeroed = Buffer.from(message);
      zeroed.fill(0, 72, 88);
      if (!timingSafeEqual(mic, hmacMd5(exportedSessionKey, pending.negotiate, pending.challenge, zeroed))) throw new AuthRejected();
    }
    return { user, exportedSessionKey };
  }

  async function kerberosAccept(token: string, state: ConnectionState): Promise<string> {
    if (!options.kerberos) throw new AuthRejected();
    const kerberos = (await import('kerberos')).default;
    const server = await kerberos.initializeServer(SERVICE);
    try {
      await server.step(token);
    } catch {
      throw new AuthRejected();
    }
    if (!server.contextComplete) throw new AuthRejected();
    const principal = server.username;
    const user = options.users.find((candidate) => candidate.principal?.toLowerCase() === principal.toLowerCase());
    if (!user) throw new AuthRejected();
    const apReq = parseApReq(krb5MessageFromGss(Buffer.from(token, 'base64')).message);
    const serviceKey = serviceKeys.find((entry) => entry.key.etype === apReq.ticketEncPart.etype)?.key;
    if (!serviceKey) throw new Error('the keytab has no key of the ticket’s type');
    const sessionKey = ticketSessionKey(apReq.ticketEncPart, serviceKey);
    const apRep = krb5MessageFromGss(Buffer.from(server.response, 'base64')).message;
    state.identity = { user, account: `${principal.split('@')[1]!.split('.')[0]!.toLowerCase()}\\${principal.split('@')[0]!.toLowerCase()}` };
    state.security = { kind: 'kerberos', cfx: new CfxContext(sessionKeysFrom(apReq, apRep, sessionKey), 'acceptor') };
    return server.response;
  }

  function findUser(username: string, domain: string): EmulatorUser | undefined {
    const local = domain === '' || domain.toUpperCase() === EMULATOR_HOSTNAME || domain === '.';
    return options.users.find(
      (user) =>
        user.username.toLowerCase() === username.toLowerCase() &&
        (user.domain ? user.domain.toLowerCase() === domain.toLowerCase() : local),
    );
  }

  function dispatch(xml: string, identity: Identity): { status: number; xml: string } {
    let root: XmlElement;
    try {
      root = parseXml(xml);
    } catch {
      return fault('', 's:Sender', 'w:InvalidMessageInformation', '2150858817', 'The WS-Management service cannot process the request because the XML is invalid.');
    }
    const header = find(root, 'Header');
    const text = (local: string) => (header && find(header, local)?.text.trim()) ?? '';
    const messageId = text('MessageID');
    const action = text('Action');
    const shellId = header ? findAll(header, 'Selector').find((s) => attr(s, 'Name') === 'ShellId')?.text.trim() : undefined;
    const body = find(root, 'Body');
    if (!text('ResourceURI').endsWith('/windows/shell/cmd')) {
      return fault(messageId, 's:Sender', 'w:DestinationUnreachable', '2150858770', 'The WS-Management service cannot process the request because the resource URI is not supported.');
    }
    if (action === ACTIONS.create) {
      if (identity.user.allowShell === false) return fault(messageId, 's:Sender', 'w:AccessDenied', '5', 'Access is denied.');
      const id = randomUUID().toUpperCase();
      const noProfile = (header && findAll(header, 'Option').find((o) => attr(o, 'Name') === 'WINRS_NOPROFILE')?.text.trim().toUpperCase()) === 'TRUE';
      shells.set(id, { owner: identity.user, noProfile, commands: new Map() });
      return ok(messageId, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
        `<x:ResourceCreated><a:Address>${secure ? 'https' : 'http'}://localhost/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">${id}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
        `<rsp:Shell><rsp:ShellId>${id}</rsp:ShellId><rsp:ResourceUri>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</rsp:ResourceUri><rsp:Owner>${escapeXml(identity.account)}</rsp:Owner><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:ProfileLoaded>${noProfile ? 'false' : 'true'}</rsp:ProfileLoaded></rsp:Shell>`);
    }
    const shell = shellId ? shells.get(shellId) : undefined;
    if ([ACTIONS.command, ACTIONS.receive, ACTIONS.signal, ACTIONS.delete].includes(action as never) && (!shell || shell.owner !== identity.user)) {
      return fault(messageId, 's:Sender', 'w:InvalidSelectors', '2150858843',
        `The request for the Windows Remote Shell with ShellId ${shellId ?? '(none)'} failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server.`);
    }
    switch (action) {
      case ACTIONS.command: {
        const line = (body && find(body, 'Command')?.text.trim()) ?? '';
        const args = body ? findAll(body, 'Arguments').map((a) => a.text.trim()) : [];
        const commandId = randomUUID().toUpperCase();
        shell!.commands.set(commandId, { ...runCmd([line, ...args].join(' '), identity), received: 0 });
        return ok(messageId, `${ACTIONS.command}Response`, `<rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse>`);
      }
      case ACTIONS.receive: {
        const commandId = (body && find(body, 'DesiredStream') && attr(find(body, 'DesiredStream')!, 'CommandId')) ?? '';
        const command = shell!.commands.get(commandId);
        if (!command) return fault(messageId, 's:Sender', 'w:InvalidParameter', '2150858843', `The command ${commandId} was not found in the shell.`);
        return ok(messageId, `${ACTIONS.receive}Response`, receiveResponse(commandId, command));
      }
      case ACTIONS.signal: {
        const commandId = (body && find(body, 'Signal') && attr(find(body, 'Signal')!, 'CommandId')) ?? '';
        shell!.commands.delete(commandId);
        return ok(messageId, `${ACTIONS.signal}Response`, '<rsp:SignalResponse/>');
      }
      case ACTIONS.delete:
        shells.delete(shellId!);
        return ok(messageId, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', '');
      default:
        return fault(messageId, 's:Sender', 'a:ActionNotSupported', '2150858754', `The action ${action || '(none)'} is not supported by the service.`);
    }
  }

  const server = options.https ? https.createServer({ cert: options.https.cert, key: options.https.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `${secure ? 'https' : 'http'}://localhost:${port}/wsman`,
    port,
    credentials: options.users,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [name, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

interface Reply {
  status: number;
  body?: Buffer;
  headers?: Record<string, string | string[]>;
}

function send(response: ServerResponse, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  response.setHeader('Content-Length', String(reply.body?.length ?? 0));
  response.writeHead(reply.status);
  response.end(reply.body);
}

function sealerFor(security: ServerSecurity): MessageSealer {
  if (security.kind === 'ntlm') {
    return {
      protocol: SPNEGO_PROTOCOL,
      description: 'NTLM',
      wrap: async (plain) => {
        const { signature, sealed } = security.security.seal(plain);
        return { header: signature, data: sealed };
      },
      unwrap: async (header, data) => security.security.unseal(header, data),
    };
  }
  return {
    protocol: SPNEGO_PROTOCOL,
    description: 'Kerberos',
    wrap: async (plain) => security.cfx.wrap(plain),
    unwrap: async (header, data) => security.cfx.unwrap(header, data),
  };
}

function identityOf(user: EmulatorUser): Identity {
  return { user, account: `${(user.domain || EMULATOR_HOSTNAME).toLowerCase()}\\${user.username.toLowerCase()}` };
}

function splitAccount(account: string): [domain: string, user: string] {
  const slash = account.indexOf('\\');
  if (slash >= 0) return [account.slice(0, slash), account.slice(slash + 1)];
  const at = account.indexOf('@');
  return at >= 0 ? [account.slice(at + 1), account.slice(0, at)] : ['', account];
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const NTLM_SERVER_FLAGS =
  (NtlmFlags.UNICODE | NtlmFlags.REQUEST_TARGET | NtlmFlags.SIGN | NtlmFlags.SEAL | NtlmFlags.NTLM | NtlmFlags.ALWAYS_SIGN |
    NtlmFlags.EXTENDED_SESSIONSECURITY | NtlmFlags.TARGET_INFO | NtlmFlags.VERSION | NtlmFlags.N128 | NtlmFlags.KEY_EXCH | NtlmFlags.N56) >>> 0;
/** NTLMSSP_TARGET_TYPE_DOMAIN: the target name is a domain. */
const TARGET_TYPE_DOMAIN = 0x00010000;

function challengeMessage(clientFlags: number, serverChallenge: Buffer): Buffer {
  const utf16 = (text: string) => Buffer.from(text, 'utf16le');
  const targetName = utf16(NETBIOS_DOMAIN);
  const targetInfo = encodeAvPairs([
    { id: AvId.NbDomainName, value: utf16(NETBIOS_DOMAIN) },
    { id: AvId.NbComputerName, value: utf16(EMULATOR_HOSTNAME) },
    { id: AvId.DnsDomainName, value: utf16(DNS_DOMAIN) },
    { id: AvId.DnsComputerName, value: utf16(`${EMULATOR_HOSTNAME.toLowerCase()}.${DNS_DOMAIN}`) },
    { id: AvId.Timestamp, value: windowsTimestamp() },
  ]);
  const header = Buffer.alloc(56);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(((clientFlags & NTLM_SERVER_FLAGS) | TARGET_TYPE_DOMAIN) >>> 0, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 15]).copy(header, 48);
  return Buffer.concat([header, targetName, targetInfo]);
}

/** The cmd subset the emulator understands, with cmd's messages and exit codes. */
function runCmd(line: string, identity: Identity): Omit<Command, 'received'> {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const part of line.split('&').map((piece) => piece.trim()).filter(Boolean)) {
    const exit = /^exit(?:\s+\/b)?\s+(-?\d+)$/i.exec(part);
    if (/^hostname$/i.test(part)) {
      stdout += `${EMULATOR_HOSTNAME}\r\n`;
      exitCode = 0;
    } else if (/^whoami$/i.test(part)) {
      stdout += `${identity.account}\r\n`;
      exitCode = 0;
    } else if (/^echo(\s|$)/i.test(part)) {
      stdout += `${part.slice(5)}\r\n`;
      exitCode = 0;
    } else if (exit) {
      exitCode = Number(exit[1]);
      break;
    } else {
      stderr += `'${part.split(/\s+/)[0]}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;
      exitCode = 1;
    }
  }
  return { stdout, stderr, exitCode };
}

/** Output comes in two Receives, as from a real shell: the data first, then the end of the streams and Done. */
function receiveResponse(commandId: string, command: Command): string {
  const stream = (name: string, data: string, end: boolean) =>
    `<rsp:Stream Name="${name}" CommandId="${commandId}"${end ? ' End="true"' : ''}>${Buffer.from(data, 'utf8').toString('base64')}</rsp:Stream>`;
  const first = command.received++ === 0 && (command.stdout || command.stderr);
  if (first) {
    return `<rsp:ReceiveResponse>${stream('stdout', command.stdout, false)}${stream('stderr', command.stderr, false)}` +
      `<rsp:CommandState CommandId="${commandId}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"/></rsp:ReceiveResponse>`;
  }
  return `<rsp:ReceiveResponse>${stream('stdout', '', true)}${stream('stderr', '', true)}` +
    `<rsp:CommandState CommandId="${commandId}" State="${COMMAND_STATE_DONE}"><rsp:ExitCode>${command.exitCode}</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`;
}

function responseEnvelope(messageId: string, action: string, body: string): string {
  return `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.wsa}" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="${NS.wsman}" xmlns:rsp="${NS.rsp}" xmlns:p="${NS.p}" xml:lang="en-US">` +
    `<s:Header><a:Action>${action}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>` +
    (messageId ? `<a:RelatesTo>${escapeXml(messageId)}</a:RelatesTo>` : '') +
    `</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

function ok(messageId: string, action: string, body: string): { status: number; xml: string } {
  return { status: 200, xml: responseEnvelope(messageId, action, body) };
}

function fault(messageId: string, code: string, subcode: string, wsmanCode: string, message: string): { status: number; xml: string } {
  const xml = responseEnvelope(messageId, ACTIONS.fault,
    `<s:Fault><s:Code><s:Value>${code}</s:Value><s:Subcode><s:Value>${subcode}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeXml(message)}</s:Text></s:Reason>` +
    `<s:Detail><f:WSManFault xmlns:f="${NS.fault}" Code="${wsmanCode}" Machine="${EMULATOR_HOSTNAME}"><f:Message>${escapeXml(message)}</f:Message></f:WSManFault></s:Detail></s:Fault>`);
  // A fault that the client's own parser cannot read would test nothing.
  if (!parseFault(parseXml(xml))) throw new Error('emulator built an unreadable fault');
  return { status: 500, xml };
}

function identify(body: Buffer): Reply {
  if (!body.toString('utf8').includes('Identify')) return { status: 400 };
  // Windows hides its version from unauthenticated callers the same way.
  const xml = `<s:Envelope xmlns:s="${NS.s}" xmlns:wsmid="${NS.wsmid}"><s:Header/><s:Body><wsmid:IdentifyResponse>` +
    `<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>` +
    '<wsmid:ProductVendor>Strongroom WinRM emulator</wsmid:ProductVendor>' +
    '<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>' +
    '<wsmid:SecurityProfiles><wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos</wsmid:SecurityProfileName></wsmid:SecurityProfiles>' +
    '</wsmid:IdentifyResponse></s:Body></s:Envelope>';
  return { status: 200, body: Buffer.from(xml), headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8' } };
}

interface KeytabEntry {
  principal: string;
  kvno: number;
  key: Key;
}

/** An MIT keytab (format 0x0502, big-endian): the service keys that open tickets. */
export function readKeytab(file: Buffer): KeytabEntry[] {
  if (file.readUInt16BE(0) !== 0x0502) throw new Error('unsupported keytab version');
  const entries: KeytabEntry[] = [];
  let at = 2;
  while (at + 4 <= file.length) {
    const size = file.readInt32BE(at);
    at += 4;
    if (size <= 0) {
      at += -size;
      continue;
    }
    const end = at + size;
    let p = at;
    const data = () => {
      const length = file.readUInt16BE(p);
      p += 2 + length;
      return file.subarray(p - length, p).toString('utf8');
    };
    const count = file.readUInt16BE(p);
    p += 2;
    const realm = data();
    const components = Array.from({ length: count }, data);
    p += 4 + 4; // name type, timestamp
    let kvno = file.readUInt8(p);
    p += 1;
    const etype = file.readUInt16BE(p);
    const keyLength = file.readUInt16BE(p + 2);
    const value = Buffer.from(file.subarray(p + 4, p + 4 + keyLength));
    p += 4 + keyLength;
    if (end - p >= 4) kvno = file.readUInt32BE(p) || kvno;
    entries.push({ principal: `${components.join('/')}@${realm}`, kvno, key: { etype, value } });
    at = end;
  }
  return entries;
}

/**
 * A CA and a server certificate for localhost and 127.0.0.1, made with
 * openssl in a new folder. Tests trust `caPath`/`ca`; without it the server
 * certificate is untrusted.
 */
export function createTestCertificates(dir = mkdtempSync(join(tmpdir(), 'sr-winrm-tls-'))): {
  dir: string;
  ca: string;
  caPath: string;
  cert: string;
  key: string;
} {
  const run = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Strongroom WinRM Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-sha256', '-extfile', 'server.ext']);
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caPath: join(dir, 'ca.pem'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
  };
}

/**
 * `npm run emulator -- winrm [--port P] [--https] [--basic] [--allow-unencrypted]`:
 * starts the emulator with fresh test users, prints one JSON line with the
 * endpoint and credentials, and runs until SIGTERM or SIGINT. With
 * `--options-stdin` it takes full WinrmEmulatorOptions as JSON on stdin
 * instead (startWinrmEmulatorProcess uses that).
 */
export async function runStandalone(args: string[]): Promise<void> {
  const flag = (name: string) => args.includes(name);
  let options: WinrmEmulatorOptions;
  let caPath: string | undefined;
  if (flag('--options-stdin')) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    options = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WinrmEmulatorOptions;
  } else {
    const portAt = args.indexOf('--port');
    const port = portAt >= 0 ? Number(args[portAt + 1]) : 0;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('--port needs a number from 0 to 65535');
    const tls = flag('--https') ? createTestCertificates() : undefined;
    caPath = tls?.caPath;
    options = {
      port,
      https: tls && { cert: tls.cert, key: tls.key },
      basicEnabled: flag('--basic'),
      allowUnencrypted: flag('--allow-unencrypted'),
      users: [
        { domain: NETBIOS_DOMAIN, username: 'alice', password: randomBytes(12).toString('base64url') },
        { username: 'localadmin', password: randomBytes(12).toString('base64url') },
      ],
    };
  }
  const emulator = await startWinrmEmulator(options);
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, port: emulator.port, caPath, credentials: emulator.credentials })}\n`);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await emulator.close();
}

/**
 * Bundles a TypeScript entry (given as source, importing by absolute path)
 * with esbuild into the repository's .tmp folder, where its bare imports
 * resolve to node_modules, so tests can run it as a real process.
 */
export async function bundleEntry(source: string): Promise<{ path: string; dispose(): void }> {
  const { build } = await import('esbuild');
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const dir = mkdtempSync(join(root, '.tmp', 'winrm-'));
  const path = join(dir, 'entry.mjs');
  await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: path,
    logLevel: 'error',
  });
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The emulator in a process of its own: needed for Kerberos, whose keytab
 * MIT finds only through the real environment of a main thread. `close()`
 * stops that process by its pid and waits for it to exit.
 */
export async function startWinrmEmulatorProcess(options: WinrmEmulatorOptions): Promise<WinrmEmulator & { pid: number }> {
  const self = fileURLToPath(import.meta.url);
  const bundle = await bundleEntry(`import { runStandalone } from ${JSON.stringify(self)};\nawait runStandalone(['--options-stdin']);\n`);
  const child = spawn(process.execPath, [bundle.path], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(options));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
    await exited;
    bundle.dispose();
  };
  try {
    const line = await new Promise<string>((done, fail) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) done(stdout.slice(0, stdout.indexOf('\n')));
      });
      void exited.then(() => fail(new Error(`the emulator exited before it listened: ${stderr}`)));
    });
    const started = JSON.parse(line) as { endpoint: string; port: number; credentials: EmulatorUser[] };
    return { ...started, pid: child.pid!, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
