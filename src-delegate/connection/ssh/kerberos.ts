/**
 * The kerberos stage: a TGT into a private credential cache, then the host's
 * service ticket, so that a missing service principal, an unreachable KDC or
 * a skewed clock is named here rather than hidden behind ssh's "Permission
 * denied". Everything runs through MIT's own tools (kinit, kvno, klist)
 * under a krb5.conf generated for the credential's realm alone.
 */
import { copyFile, chmod, constants } from 'node:fs/promises';
import { ConnectionFailure } from '../report.js';
import type { StageDetail } from '../../../src-shared/connection-report.js';
import type { KerberosCredential } from './credential.js';
import type { PrivateDir } from './private-dir.js';
import { runTool, toolEnv } from '../tool.js';
import { krb5Conf } from '../krb5-conf.js';

type Details = Record<string, StageDetail>;
type Step = 'kinit-password' | 'kinit-keytab' | 'kvno';

export function servicePrincipalFor(host: string, realm: string): string {
  return `host/${host.toLowerCase()}@${realm}`;
}

/**
 * Gets the tickets and returns the environment ssh needs to use them. Fills
 * `details` as it goes, so a failed stage still shows what was learnt.
 */
export async function obtainTickets(
  credential: KerberosCredential,
  serviceHost: string,
  dir: PrivateDir,
  timeoutMs: number,
  details: Details,
): Promise<Record<string, string>> {
  const principal = `${credential.principal}@${credential.realm}`;
  const servicePrincipal = servicePrincipalFor(serviceHost, credential.realm);
  const names = { principal, servicePrincipal };
  Object.assign(details, { principal, kdc: credential.kdc ?? 'DNS SRV records', ticketSource: credential.ticket.source, servicePrincipal });
  const confPath = await dir.write('krb5.conf', krb5Conf(credential.realm, credential.kdc, serviceHost.toLowerCase()));
  const ccache = dir.file('ccache');
  const env = toolEnv(dir.path, { KRB5_CONFIG: confPath, KRB5CCNAME: `FILE:${ccache}` });

  let requestWindow: [number, number] | null = null;
  const ticket = credential.ticket;
  if (ticket.source === 'ccache') {
    try {
      await copyFile(ticket.ccachePath, ccache, constants.COPYFILE_EXCL);
      await chmod(ccache, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new ConnectionFailure('AUTH_REJECTED', `Cannot read the ticket cache ${ticket.ccachePath} (${code}).`);
    }
  } else {
    const keytab =
      ticket.source === 'keytab' ? ticket.keytabPath : ticket.source === 'keytab-content' ? await dir.write('user.keytab', Buffer.from(ticket.keytabBase64, 'base64')) : null;
    const started = Date.now();
    const run = await runTool('kinit', keytab ? ['-k', '-t', keytab, principal] : [principal], {
      env,
      stdin: ticket.source === 'password' ? `${ticket.password}\n` : undefined,
      timeoutMs,
    });
    if (run.status !== 0) throw kerberosFailure(run, keytab ? 'kinit-keytab' : 'kinit-password', names);
    requestWindow = [started, Date.now()];
  }

  const kvno = await runTool('kvno', [servicePrincipal], { env, timeoutMs });
  if (kvno.status !== 0) throw kerberosFailure(kvno, 'kvno', names);

  const klist = await runTool('klist', [], { env, timeoutMs });
  if (klist.status !== 0) throw new ConnectionFailure('INTERNAL', `klist failed: ${klist.stderr.trim()}`);
  const cache = parseKlist(klist.stdout);
  const tgt = cache.tickets.find((entry) => entry.principal === `krbtgt/${credential.realm}@${credential.realm}`);
  const service = cache.tickets.find((entry) => entry.principal === servicePrincipal);
  Object.assign(details, {
    principal: cache.defaultPrincipal ?? principal,
    ticketExpires: tgt?.expires ?? null,
    serviceTicketExpires: service?.expires ?? null,
    clockSkewSeconds: tgt && requestWindow ? clockSkewSeconds(tgt.start, requestWindow) : null,
  });
  if (cache.defaultPrincipal && cache.defaultPrincipal !== principal) {
    throw new ConnectionFailure('AUTH_REJECTED', `The ticket cache holds tickets for ${cache.defaultPrincipal}, not ${principal}.`);
  }
  return { KRB5_CONFIG: confPath, KRB5CCNAME: `FILE:${ccache}` };
}

export interface KlistTicket {
  start: string;
  expires: string;
  principal: string;
}

/** Parses `klist` output printed with LC_ALL=C and TZ=UTC (`MM/DD/YY HH:MM:SS`). */
export function parseKlist(output: string): { defaultPrincipal: string | null; tickets: KlistTicket[] } {
  const defaultPrincipal = /^Default principal: (\S+)/m.exec(output)?.[1] ?? null;
  const time = String.raw`(\d{2})/(\d{2})/(\d{2}|\d{4}) (\d{2}):(\d{2}):(\d{2})`;
  const row = new RegExp(`^${time}\\s+${time}\\s+(\\S+)`, 'gm');
  const tickets: KlistTicket[] = [];
  for (const match of output.matchAll(row)) {
    const part = match.slice(1).map(Number);
    tickets.push({ start: utcIso(part.slice(0, 6)), expires: utcIso(part.slice(6, 12)), principal: match[13]! });
  }
  return { defaultPrincipal, tickets };
}

function utcIso([month, day, year, hour, minute, second]: number[]): string {
  const fullYear = year! < 100 ? 2000 + year! : year!;
  return new Date(Date.UTC(fullYear, month! - 1, day!, hour!, minute!, second!)).toISOString();
}

/**
 * How far the KDC's clock lies outside the interval in which we asked: the
 * TGT's start time is the KDC's clock when it answered, with whole-second
 * resolution, so a clock in sync reads 0.
 */
export function clockSkewSeconds(kdcStart: string, [sentAt, answeredAt]: [number, number]): number {
  const kdc = Date.parse(kdcStart) / 1000;
  const earliest = Math.floor(sentAt / 1000);
  const latest = Math.ceil(answeredAt / 1000);
  if (kdc < earliest) return kdc - earliest;
  if (kdc > latest) return kdc - latest;
  return 0;
}

/** Maps what MIT's tools print to the typed errors. */
export function kerberosFailure(
  run: { stderr: string; timedOut: boolean },
  step: Step,
  names: { principal: string; servicePrincipal: string },
): ConnectionFailure {
  const { principal, servicePrincipal } = names;
  const text = run.stderr;
  const message = text.trim().split('\n').at(-1) ?? '';
  if (run.timedOut) return new ConnectionFailure('KDC_UNREACHABLE', 'The KDC did not answer in time.');
  if (/Cannot contact any KDC|Cannot find KDC|Cannot resolve network address for KDC/i.test(text)) {
    return new ConnectionFailure('KDC_UNREACHABLE', `No KDC answered: ${message}`);
  }
  if (/Clock skew too great/i.test(text)) {
    return new ConnectionFailure('CLOCK_SKEW', 'The clocks of this machine and the KDC differ by more than the realm allows (usually 5 minutes).');
  }
  if (/Client '?\S+?'? not found in Kerberos database/.test(text)) {
    return new ConnectionFailure('PRINCIPAL_UNKNOWN', `The KDC does not know the principal ${principal}.`, { principal });
  }
  if (/not found in Kerberos database/.test(text)) {
    return new ConnectionFailure(
      'NO_SERVICE_PRINCIPAL',
      `The KDC has no service principal ${servicePrincipal}: the host is not registered in the realm under this name.`,
      { servicePrincipal },
    );
  }
  if (step === 'kinit-keytab' && /Keytab contains no suitable keys|Password incorrect|Preauthentication failed|Key table|keytab|No such file|Bad format/i.test(text)) {
    return new ConnectionFailure('WRONG_KEYTAB', `The keytab does not hold the current key of ${principal}: ${message}`, { principal });
  }
  if (/Password incorrect|Preauthentication failed/.test(text)) {
    return new ConnectionFailure('AUTH_REJECTED', `The KDC rejected the password of ${principal}.`, { principal });
  }
  if (/expired/i.test(text)) return new ConnectionFailure('AUTH_REJECTED', `Kerberos refused: ${message}`, { principal });
  return new ConnectionFailure('INTERNAL', `Kerberos failed: ${message}`);
}
