// Kerberos (GSSAPI) logins against a real MIT KDC and a real sshd that holds
// host/localhost in its keytab. Every case also runs the reference path an
// administrator would (kinit, then ssh with GSSAPI in BatchMode) with the
// same credential, and the tester's verdict must agree with ssh's exit status.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport, ReportStage } from '../../src-shared/connection-report.js';
import {
  knownHostsFrom,
  testSshCredential,
  type KerberosCredential,
  type KerberosTicketSource,
  type SshTestOptions,
} from '../../src-delegate/connection/ssh/index.js';
import { startKdc, type TestKdc } from '../fixtures/kdc.js';
import { referenceSsh, startSshd, type SshdUser, type TestSshd } from '../fixtures/sshd.js';

let kdc: TestKdc;
let sshd: TestSshd;
let scratch: string;
/** Logs in with a Kerberos password. */
let alice: SshdUser & { kerberosPassword: string };
/** Logs in with a keytab exported without changing the key, so her password still works too. */
let bob: SshdUser & { keytab: string };
/** Has a keytab that went stale when her key was rotated. */
let carol: SshdUser & { staleKeytab: string };
let hostKeytab: string;
let references = 0;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sr-ssh-krb-'));
  kdc = await startKdc();
  hostKeytab = join(scratch, 'sshd.keytab');
  await kdc.exportKeytab(await kdc.addRandomKeyPrincipal('host/localhost'), hostKeytab);
  sshd = await startSshd({ krb5: { keytab: hostKeytab, env: kdc.env } });

  const [a, b, c] = await Promise.all([sshd.addUser(), sshd.addUser(), sshd.addUser()]);
  alice = { ...a!, kerberosPassword: 'kerberos-pw-alice' };
  await kdc.addPrincipal(alice.name, alice.kerberosPassword);
  bob = { ...b!, keytab: join(scratch, 'bob.keytab') };
  await kdc.addPrincipal(bob.name, 'kerberos-pw-bob');
  await kdc.exportKeytab(bob.name, bob.keytab, { norandkey: true });
  carol = { ...c!, staleKeytab: join(scratch, 'carol-stale.keytab') };
  await kdc.addPrincipal(carol.name, 'kerberos-pw-carol');
  await kdc.exportKeytab(carol.name, carol.staleKeytab);
  await kdc.exportKeytab(carol.name, join(scratch, 'carol-current.keytab'));
});

afterAll(async () => {
  await sshd?.stop();
  await kdc?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Case {
  principal: string;
  ticket: KerberosTicketSource;
  username?: string;
  host?: string;
  kdcAddress?: string;
  known?: boolean;
}

function test(c: Case, extra: Partial<SshTestOptions> = {}): Promise<ConnectionReport> {
  const host = c.host ?? 'localhost';
  const known = c.known === false ? [] : sshd.hostKeys.map((key) => ({ host, port: sshd.port, keyType: key.keyType, fingerprint: key.fingerprint }));
  const credential: KerberosCredential = {
    kind: 'kerberos',
    principal: c.principal,
    realm: kdc.realm,
    kdc: c.kdcAddress ?? `127.0.0.1:${kdc.port}`,
    username: c.username,
    ticket: c.ticket,
  };
  return testSshCredential(credential, { host, port: sshd.port }, { knownHosts: knownHostsFrom(known), mask: (text) => text, ...extra });
}

/** kinit, then ssh with GSSAPI in BatchMode: what an administrator would run for the same case. */
async function reference(c: Case, source: { password: string } | { keytab: string }) {
  references += 1;
  const ccachePath = join(scratch, `reference-${references}.ccache`);
  let krb5ConfPath = kdc.krb5ConfPath;
  if (c.kdcAddress) {
    krb5ConfPath = join(scratch, `reference-${references}.conf`);
    const conf = await readFile(kdc.krb5ConfPath, 'utf8');
    await writeFile(krb5ConfPath, conf.replace(`127.0.0.1:${kdc.port}`, c.kdcAddress));
  }
  await kdc.kinit(c.principal, source, { ccachePath, krb5ConfPath });
  const host = c.host ?? 'localhost';
  return referenceSsh({
    host,
    port: sshd.port,
    user: c.username ?? c.principal,
    knownHosts: c.known === false ? '' : sshd.knownHosts(host),
    auth: { gssapi: { KRB5_CONFIG: krb5ConfPath, KRB5CCNAME: `FILE:${ccachePath}` } },
  });
}

function both(c: Case, source: { password: string } | { keytab: string }) {
  return Promise.all([test(c), reference(c, source)]);
}

function stage(report: ConnectionReport, name: ReportStage['stage']): ReportStage | undefined {
  return report.stages.find((entry) => entry.stage === name);
}

describe('kerberos', () => {
  it('logs in with a password, reporting the tickets, like kinit and ssh', async () => {
    const [report, ref] = await both({ principal: alice.name, ticket: { source: 'password', password: alice.kerberosPassword } }, { password: alice.kerberosPassword });

    expect(report.error).toBeNull();
    expect(report).toMatchObject({ kind: 'ssh-kerberos', host: 'localhost', ok: true });
    expect(report.stages.map((entry) => [entry.stage, entry.status])).toEqual([
      ['dns', 'ok'],
      ['tcp', 'ok'],
      ['handshake', 'ok'],
      ['kerberos', 'ok'],
      ['auth', 'ok'],
      ['probe', 'ok'],
    ]);
    const kerberos = stage(report, 'kerberos')!.details;
    expect(kerberos).toMatchObject({
      principal: `${alice.name}@${kdc.realm}`,
      servicePrincipal: `host/localhost@${kdc.realm}`,
      ticketSource: 'password',
      clockSkewSeconds: 0,
    });
    expect(Date.parse(kerberos.ticketExpires as string)).toBeGreaterThan(Date.now());
    expect(Date.parse(kerberos.serviceTicketExpires as string)).toBeGreaterThan(Date.now());
    expect(stage(report, 'auth')!.details).toMatchObject({ used: 'gssapi-with-mic', offered: expect.arrayContaining(['gssapi-with-mic']) });
    expect(stage(report, 'probe')!.details.output).toBe(alice.name);
    expect(JSON.stringify(report)).not.toContain(alice.kerberosPassword);
    expect(ref.status).toBe(0);
  });

  it('logs in with a keytab file, like kinit -kt and ssh', async () => {
    const [report, ref] = await both({ principal: bob.name, ticket: { source: 'keytab', keytabPath: bob.keytab } }, { keytab: bob.keytab });

    expect(report.error).toBeNull();
    expect(stage(report, 'probe')!.details.output).toBe(bob.name);
    expect(ref.status).toBe(0);
  });

  it('logs in with a keytab given as content', async () => {
    const keytabBase64 = (await readFile(bob.keytab)).toString('base64');
    const report = await test({ principal: bob.name, ticket: { source: 'keytab-content', keytabBase64 } });

    expect(report.error).toBeNull();
    expect(JSON.stringify(report)).not.toContain(keytabBase64);
  });

  it('logs in with an existing ticket cache and leaves it unchanged', async () => {
    const ccachePath = join(scratch, 'existing.ccache');
    expect((await kdc.kinit(alice.name, { password: alice.kerberosPassword }, { ccachePath })).status).toBe(0);
    const before = createHash('sha256').update(await readFile(ccachePath)).digest('hex');

    const report = await test({ principal: alice.name, ticket: { source: 'ccache', ccachePath } });

    expect(report.error).toBeNull();
    expect(stage(report, 'kerberos')!.details.clockSkewSeconds).toBeNull();
    expect(createHash('sha256').update(await readFile(ccachePath)).digest('hex')).toBe(before);
  });

  it('reports a wrong password as rejected by the KDC, like kinit and ssh', async () => {
    const [report, ref] = await both({ principal: alice.name, ticket: { source: 'password', password: 'not-her-password' } }, { password: 'not-her-password' });

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED' });
    expect(stage(report, 'kerberos')!.status).toBe('failed');
    expect(stage(report, 'auth')).toBeUndefined();
    expect(ref.status).toBe(255);
  });

  it('reports a principal the KDC does not know, like kinit and ssh', async () => {
    const [report, ref] = await both({ principal: 'nobody-here', ticket: { source: 'password', password: 'whatever-pw' } }, { password: 'whatever-pw' });

    expect(report.error).toMatchObject({ code: 'PRINCIPAL_UNKNOWN', details: { principal: `nobody-here@${kdc.realm}` } });
    expect(ref.status).toBe(255);
  });

  it('reports a keytab that went stale when the key was rotated, like kinit -kt and ssh', async () => {
    const [report, ref] = await both({ principal: carol.name, ticket: { source: 'keytab', keytabPath: carol.staleKeytab } }, { keytab: carol.staleKeytab });

    expect(report.error).toMatchObject({ code: 'WRONG_KEYTAB' });
    expect(ref.status).toBe(255);
  });

  it("reports another principal's keytab, like kinit -kt and ssh", async () => {
    const [report, ref] = await both({ principal: alice.name, ticket: { source: 'keytab', keytabPath: hostKeytab } }, { keytab: hostKeytab });

    expect(report.error).toMatchObject({ code: 'WRONG_KEYTAB', message: expect.stringContaining('no suitable keys') });
    expect(ref.status).toBe(255);
  });

  it('reports a KDC that does not answer, like kinit and ssh', async () => {
    const kdcAddress = `127.0.0.1:${await closedPort()}`;
    const ticket = { source: 'password', password: alice.kerberosPassword } as const;
    const [report, ref] = await both({ principal: alice.name, ticket, kdcAddress }, { password: alice.kerberosPassword });

    expect(report.error).toMatchObject({ code: 'KDC_UNREACHABLE' });
    expect(stage(report, 'kerberos')!.details.kdc).toBe(kdcAddress);
    expect(ref.status).toBe(255);
  });

  it('reports a host name the KDC has no service principal for, like ssh', async () => {
    const ticket = { source: 'password', password: alice.kerberosPassword } as const;
    const [report, ref] = await both({ principal: alice.name, ticket, host: '127.0.0.1' }, { password: alice.kerberosPassword });

    expect(report.error).toMatchObject({ code: 'NO_SERVICE_PRINCIPAL', details: { servicePrincipal: `host/127.0.0.1@${kdc.realm}` } });
    expect(stage(report, 'kerberos')!.status).toBe('failed');
    expect(ref.status).toBe(255);
  });

  it('reports a principal the server does not map to the user as rejected by the server, like ssh', async () => {
    const ticket = { source: 'password', password: alice.kerberosPassword } as const;
    const [report, ref] = await both({ principal: alice.name, ticket, username: bob.name }, { password: alice.kerberosPassword });

    expect(report.error).toMatchObject({ code: 'AUTH_REJECTED', details: { allowed: expect.arrayContaining(['gssapi-with-mic']) } });
    expect(stage(report, 'kerberos')!.status).toBe('ok');
    expect(stage(report, 'auth')!.status).toBe('failed');
    expect(ref.status).toBe(255);
  });

  it('checks the host key before asking the KDC for anything, like ssh', async () => {
    const ticket = { source: 'password', password: alice.kerberosPassword } as const;
    const [report, ref] = await both({ principal: alice.name, ticket, known: false }, { password: alice.kerberosPassword });

    expect(report.error).toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
    expect(stage(report, 'kerberos')).toBeUndefined();
    expect(ref.status).toBe(255);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
