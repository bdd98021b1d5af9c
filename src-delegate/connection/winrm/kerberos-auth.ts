/**
 * Kerberos for the WinRM client: a ticket in a private credential cache
 * (kinit from the keytab, or with the password on stdin), SPNEGO through
 * the `kerberos` addon, and message encryption for HTTP.
 *
 * MIT Kerberos reads KRB5CCNAME and KRB5_CONFIG from the real process
 * environment, so the addon's calls run with both set for the duration of a
 * test, one test at a time. A worker thread has only a copy of the
 * environment that native code never sees: Kerberos tests must run on the
 * main thread of their process (the delegate's), and refuse otherwise.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { KerberosClient } from 'kerberos';
import { loadKerberosAddon } from '../optional-tools-probe.js';
import { krb5Conf } from '../krb5-conf.js';
import { ConnectionFailure } from '../report.js';
import type { ConnectionErrorCode, StageDetail } from '../../../src-shared/connection-report.js';
import { runTool, type ToolRun } from '../tool.js';
import { CONF_SAFE, type WinrmCredential } from './credential.js';
import { CfxContext, krb5MessageFromGss, parseApReq, sessionKeysFrom, type Key } from './kerberos-crypto.js';
import type { MessageSealer } from './transport.js';

const GSS_C_MUTUAL_FLAG = 2;
const GSS_C_SEQUENCE_FLAG = 8;
const GSS_C_CONF_FLAG = 16;
const GSS_C_INTEG_FLAG = 32;

/** Maps MIT messages (kinit's stderr, GSS errors) to report codes. */
export function classifyKerberosError(message: string): ConnectionErrorCode {
  if (/Clock skew too great/i.test(message)) return 'CLOCK_SKEW';
  if (/Cannot (contact|find) any KDC|Cannot find KDC|unable to reach any KDC|Cannot resolve network address for KDC/i.test(message)) {
    return 'KDC_UNREACHABLE';
  }
  if (/Server .*not found in Kerberos database|Server not found/i.test(message)) return 'NO_SERVICE_PRINCIPAL';
  if (/Client .*not found in Kerberos database/i.test(message)) return 'PRINCIPAL_UNKNOWN';
  if (/Key table entry not found|No key table entry found|key table|keytab/i.test(message)) return 'WRONG_KEYTAB';
  if (/Password incorrect|Preauthentication failed|Decrypt integrity check failed|integrity check/i.test(message)) return 'AUTH_REJECTED';
  return 'AUTH_REJECTED';
}

export function realmOf(credential: WinrmCredential): string {
  return (credential.realm ?? credential.domain ?? '').toUpperCase();
}

export function principalOf(credential: WinrmCredential): string {
  return credential.username.includes('@') ? credential.username : `${credential.username}@${realmOf(credential)}`;
}

/** A private folder with the credential cache and, when the credential names a KDC, its own krb5.conf. */
export interface KerberosLogin {
  dir: string;
  ccachePath: string;
  env: { KRB5CCNAME: string; KRB5_CONFIG?: string };
  principal: string;
}


export async function kinit(credential: WinrmCredential, host: string, timeoutMs: number, details: Record<string, StageDetail>): Promise<KerberosLogin> {
  // Without the addon no ticket could be used: say so before asking the KDC for one.
  await loadKerberosAddon();
  const realm = realmOf(credential);
  // The schema checks these too; the krb5.conf written below must never depend on a caller having parsed first.
  for (const value of [realm, host, credential.kdc ?? realm]) {
    if (!CONF_SAFE.test(value)) throw new ConnectionFailure('INTERNAL', `unsafe value for a Kerberos configuration: ${value}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-krb5-'));
  try {
    const ccachePath = join(dir, 'ccache');
    const env: KerberosLogin['env'] = { KRB5CCNAME: `FILE:${ccachePath}` };
    if (credential.kdc) {
      env.KRB5_CONFIG = join(dir, 'krb5.conf');
      await writeFile(env.KRB5_CONFIG, krb5Conf(realm, credential.kdc, host), { mode: 0o600 });
    } else if (process.env.KRB5_CONFIG) {
      env.KRB5_CONFIG = process.env.KRB5_CONFIG;
    }
    const principal = principalOf(credential);
    details.principal = principal;
    details.realm = realm;
    details.kdc = credential.kdc ?? 'from the system krb5.conf';
    details.ticketSource = credential.keytabPath ? 'keytab' : 'password';
    const args = credential.keytabPath ? ['-k', '-t', credential.keytabPath, principal] : [principal];
    // The password goes to kinit on stdin; only the cache and config paths are in its environment.
    const stdin = credential.keytabPath ? '' : `${credential.password ?? ''}\n`;
    const before = Date.now();
    const result = await runKerberosTool('kinit', args, env, stdin, timeoutMs);
    if (result.status !== 0) {
      const message = result.timedOut ? `kinit did not finish within ${timeoutMs} ms` : result.stderr.trim() || `kinit exited with ${result.status}`;
      throw new ConnectionFailure(result.timedOut ? 'TIMEOUT' : classifyKerberosError(message), message);
    }
    const listed = await runKerberosTool('klist', [], env, '', timeoutMs);
    Object.assign(details, parseKlist(listed.stdout, before));
    return { dir, ccachePath, env, principal };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** MIT's tools with only the login's cache and config in their environment, in the C locale klist's dates are parsed in. */
async function runKerberosTool(command: string, args: string[], env: KerberosLogin['env'], stdin: string, timeoutMs: number): Promise<ToolRun> {
  const toolEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) toolEnv[name] = value;
  return runTool(command, args, { env: toolEnv, stdin, timeoutMs });
}

export async function removeLogin(login: KerberosLogin): Promise<void> {
  await rm(login.dir, { recursive: true, force: true });
}

/**
 * Ticket times from `klist` (LC_ALL=C), and how far the KDC's clock is from
 * ours: the ticket's start time is the KDC's clock when it issued it, just
 * after `requestedAt`. klist shows whole seconds, so so does the skew.
 */
export function parseKlist(output: string, requestedAt: number): Record<string, StageDetail> {
  const line = /^(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)\s+(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)\s+(krbtgt\/\S+)/m.exec(output);
  if (!line) return {};
  const toDate = (text: string) => {
    const [date, time] = text.split(' ');
    const [month, day, year] = date!.split('/').map(Number);
    const [h, m, s] = time!.split(':').map(Number);
    return new Date(2000 + year!, month! - 1, day, h, m, s);
  };
  const start = toDate(line[1]!);
  return {
    ticketStart: start.toISOString(),
    ticketExpires: toDate(line[2]!).toISOString(),
    ticketService: line[3]!,
    clockSkewSeconds: Math.round((start.getTime() - Math.floor(requestedAt / 1000) * 1000) / 1000),
  };
}

let environmentQueue: Promise<unknown> = Promise.resolve();

/** Runs `action` with the login's variables in the real environment, one caller at a time. */
export function withKerberosEnvironment<T>(login: KerberosLogin, action: () => Promise<T>): Promise<T> {
  if (!isMainThread) {
    return Promise.reject(
      new ConnectionFailure('INTERNAL', 'Kerberos tests must run on the main thread: MIT Kerberos does not see a worker thread’s environment'),
    );
  }
  const run = async () => {
    const saved = { KRB5CCNAME: process.env.KRB5CCNAME, KRB5_CONFIG: process.env.KRB5_CONFIG };
    process.env.KRB5CCNAME = login.env.KRB5CCNAME;
    if (login.env.KRB5_CONFIG) process.env.KRB5_CONFIG = login.env.KRB5_CONFIG;
    try {
      return await action();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };
  const result = environmentQueue.then(run, run);
  environmentQueue = result.catch(() => undefined);
  return result;
}

/** The SPNEGO initiator: first token, mutual authentication, then a sealer for WinRM messages. */
export class KerberosInitiator {
  private constructor(
    private readonly client: KerberosClient,
    private readonly login: KerberosLogin,
    readonly initialToken: string,
  ) {}

  static async start(login: KerberosLogin, host: string): Promise<KerberosInitiator> {
    const kerberos = await loadKerberosAddon();
    try {
      // The addon reads `flags` (its type declarations say `gssFlag`, which it ignores).
      const options = {
        mechOID: kerberos.GSS_MECH_OID_SPNEGO,
        flags: GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG,
        principal: login.principal,
      };
      const client = await kerberos.initializeClient(`HTTP@${host}`, options);
      return new KerberosInitiator(client, login, await client.step(''));
    } catch (error) {
      const message = (error as Error).message;
      throw new ConnectionFailure(classifyKerberosError(message), message, { servicePrincipal: `HTTP/${host}` });
    }
  }

  /** Checks the server's mutual-authentication token and derives the message keys. */
  async complete(serverToken: string): Promise<MessageSealer> {
    try {
      await this.client.step(serverToken);
    } catch (error) {
      throw new ConnectionFailure('AUTH_REJECTED', `the server's Kerberos reply did not verify: ${(error as Error).message}`);
    }
    if (!this.client.contextComplete) throw new ConnectionFailure('AUTH_REJECTED', 'Kerberos mutual authentication did not complete');
    const apReq = parseApReq(krb5MessageFromGss(Buffer.from(this.initialToken, 'base64')).message);
    const apRep = krb5MessageFromGss(Buffer.from(serverToken, 'base64'));
    if (apRep.tokId !== 0x0200) throw new ConnectionFailure('AUTH_REJECTED', 'the server did not answer with an AP-REP');
    const sessionKey = findSessionKey(await readFile(this.login.ccachePath), apReq.ticketRaw);
    if (!sessionKey) throw new ConnectionFailure('INTERNAL', 'the service ticket is not in the private credential cache');
    const cfx = new CfxContext(sessionKeysFrom(apReq, apRep.message, sessionKey), 'initiator');
    const client = this.client;
    return {
      protocol: 'application/HTTP-SPNEGO-session-encrypted',
      description: 'Kerberos wrap (RFC 4121, AES-CTS-HMAC-SHA1-96)',
      wrap: async (plain) => cfx.wrap(plain),
      // Replies are opened by MIT's gss_unwrap, so our wrap format is checked against MIT on every exchange.
      unwrap: async (header, data) => Buffer.from(await client.unwrap(Buffer.concat([header, data]).toString('base64')), 'base64'),
    };
  }
}

/**
 * The session key of the credential whose ticket is `ticketRaw`, from an MIT
 * FILE credential cache (format 0x0504, all integers big-endian).
 */
export function findSessionKey(ccache: Buffer, ticketRaw: Buffer): Key | undefined {
  let at = 0;
  const u8 = () => ccache.readUInt8((at += 1) - 1);
  const u16 = () => ccache.readUInt16BE((at += 2) - 2);
  const u32 = () => ccache.readUInt32BE((at += 4) - 4);
  const data = () => {
    const length = u32();
    return ccache.subarray(at, (at += length));
  };
  const principal = () => {
    u32();
    const count = u32();
    data();
    for (let i = 0; i < count; i++) data();
  };
  const version = u16();
  if (version !== 0x0504) throw new ConnectionFailure('INTERNAL', `unexpected credential cache version ${version.toString(16)}`);
  const headerLength = u16();
  at += headerLength;
  principal();
  while (at < ccache.length) {
    principal();
    principal();
    const etype = u16();
    const key = data();
    at += 16;
    u8();
    u32();
    // Addresses, then authorization data: both lists of (type, bytes).
    for (let list = 0; list < 2; list++) {
      for (let count = u32(); count > 0; count--) {
        u16();
        data();
      }
    }
    const ticket = data();
    data();
    if (ticket.equals(ticketRaw)) return { etype, value: Buffer.from(key) };
  }
  return undefined;
}
