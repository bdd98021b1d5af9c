// Host keys and the network stages against a real sshd: unknown, accepted,
// changed and pinned host keys, a refused port, a silent server and an
// unknown name. Every case also runs the system ssh client with the same
// known hosts, and the tester's verdict must agree with ssh's exit status.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionReport, ReportStage } from '../../src-shared/connection-report.js';
import {
  knownHostsFrom,
  seenHostKey,
  testSshCredential,
  type KnownHostKey,
  type SshTestOptions,
} from '../../src-delegate/connection/ssh/index.js';
import { generateKey, referenceSsh, startSshd, type SshdUser, type TestKey, type TestSshd } from '../fixtures/sshd.js';

let sshd: TestSshd;
let user: SshdUser;
let impostor: TestKey;

beforeAll(async () => {
  sshd = await startSshd();
  user = await sshd.addUser();
  impostor = await generateKey('ed25519');
});

afterAll(async () => {
  await sshd?.stop();
});

function hostKey(keyType: string): KnownHostKey & { publicKey: string } {
  const key = sshd.hostKeys.find((entry) => entry.keyType === keyType);
  if (!key) throw new Error(`sshd has no ${keyType} key`);
  return key;
}

/** The tester and the system client, each trusting exactly `known`, on the same case side by side. */
function both(known: (KnownHostKey & { publicKey: string })[], extra: Partial<SshTestOptions> & { port?: number; host?: string } = {}) {
  const { port = sshd.port, host = '127.0.0.1', ...rest } = extra;
  const options: SshTestOptions = {
    knownHosts: knownHostsFrom(known.map((key) => ({ host, port, keyType: key.keyType, fingerprint: key.fingerprint }))),
    mask: (text) => text,
    ...rest,
  };
  return Promise.all([
    testSshCredential({ kind: 'password', username: user.name, password: user.password }, { host, port }, options),
    referenceSsh({
      host,
      port,
      user: user.name,
      knownHosts: known.map((key) => `[${host}]:${port} ${key.keyType} ${key.publicKey}\n`).join(''),
      strictHostKeyChecking: rest.acceptNewHostKey ? 'accept-new' : 'yes',
      connectTimeout: rest.timeoutMs ? Math.ceil(rest.timeoutMs / 1000) : undefined,
      auth: { password: user.password },
    }),
  ]);
}

function stage(report: ConnectionReport, name: ReportStage['stage']): ReportStage | undefined {
  return report.stages.find((entry) => entry.stage === name);
}

describe('host keys', () => {
  it('stops at an unknown host key and shows its fingerprint, like ssh', async () => {
    const [report, ref] = await both([]);

    const ed25519 = hostKey('ssh-ed25519');
    expect(report.error).toMatchObject({ code: 'HOST_KEY_UNKNOWN', details: { keyType: 'ssh-ed25519', fingerprint: ed25519.fingerprint } });
    expect(stage(report, 'handshake')).toMatchObject({ status: 'failed', details: { hostKey: 'new', fingerprint: ed25519.fingerprint } });
    expect(stage(report, 'auth')).toBeUndefined();
    expect(seenHostKey(report)).toEqual({ keyType: 'ssh-ed25519', fingerprint: ed25519.fingerprint, publicKey: ed25519.publicKey });
    expect(ref.status).toBe(255);
  });

  it('trusts a new host key when told to, reports it as new, and knows it once main stores it', async () => {
    const [report, ref] = await both([], { acceptNewHostKey: true });

    expect(report.error).toBeNull();
    expect(stage(report, 'handshake')!.details.hostKey).toBe('new');
    expect(ref.status).toBe(0);

    const accepted = seenHostKey(report)!;
    const [again] = await both([accepted]);
    expect(again.error).toBeNull();
    expect(stage(again, 'handshake')!.details.hostKey).toBe('known');
  });

  it('fails closed on a changed host key, showing both fingerprints, even when new keys are accepted, like ssh', async () => {
    const stored = { keyType: 'ssh-ed25519', fingerprint: impostor.fingerprint, publicKey: impostor.publicKey.split(' ')[1]! };
    const [report, ref] = await both([stored], { acceptNewHostKey: true });

    const actual = hostKey('ssh-ed25519');
    expect(report.error).toMatchObject({
      code: 'HOST_KEY_CHANGED',
      details: { fingerprint: actual.fingerprint, knownFingerprints: [impostor.fingerprint] },
    });
    expect(report.error!.message).toContain(actual.fingerprint);
    expect(report.error!.message).toContain(impostor.fingerprint);
    expect(stage(report, 'handshake')!.details).toMatchObject({ hostKey: 'changed', knownFingerprints: [impostor.fingerprint] });
    expect(stage(report, 'auth')).toBeUndefined();
    expect(ref.status).toBe(255);
    expect(ref.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
  });

  it.each(['ssh-rsa', 'ecdsa-sha2-nistp256'])('asks for the stored %s key so fingerprints compare like with like, like ssh', async (keyType) => {
    const [report, ref] = await both([hostKey(keyType)]);

    expect(report.error).toBeNull();
    expect(stage(report, 'handshake')!.details).toMatchObject({ hostKeyType: keyType, fingerprint: hostKey(keyType).fingerprint, hostKey: 'known' });
    expect(ref.status).toBe(0);
  });
});

describe('network', () => {
  it('reports a refused port at the tcp stage, like ssh', async () => {
    const port = await closedPort();
    const [report, ref] = await both([], { port });

    expect(report.error).toMatchObject({ code: 'REFUSED' });
    expect(stage(report, 'tcp')!.status).toBe('failed');
    expect(ref.status).toBe(255);
  });

  it('reports a server that accepts but never speaks as a timeout at the handshake, like ssh', async () => {
    const silent = await loopbackServer();
    try {
      const [report, ref] = await both([], { port: silent.port, timeoutMs: 1000 });

      expect(report.error).toMatchObject({ code: 'TIMEOUT' });
      expect(stage(report, 'tcp')!.status).toBe('ok');
      expect(stage(report, 'handshake')!.status).toBe('failed');
      expect(ref.status).toBe(255);
    } finally {
      await silent.close();
    }
  });

  it.each([
    ['closes at once', (socket: Socket) => socket.end()],
    ['answers with something that is not SSH, then closes', (socket: Socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')],
  ])('reports a server that %s before the SSH banner as refused at the handshake, hinting it may not be an SSH server, like ssh', async (_case, greet) => {
    const closing = await loopbackServer(greet);
    try {
      const [report, ref] = await both([], { port: closing.port });

      expect(report.error).toMatchObject({ code: 'REFUSED', message: expect.stringContaining('may not be an SSH server') });
      expect(stage(report, 'tcp')!.status).toBe('ok');
      expect(stage(report, 'handshake')!.status).toBe('failed');
      expect(ref.status).toBe(255);
    } finally {
      await closing.close();
    }
  });

  it('reports a name that does not resolve at the dns stage, like ssh', async () => {
    const [report, ref] = await both([], { host: 'no-such-host.invalid' });

    expect(report.error).toMatchObject({ code: 'DNS' });
    expect(report.stages.map((entry) => [entry.stage, entry.status])).toEqual([['dns', 'failed']]);
    expect(ref.status).toBe(255);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = await listen(createServer());
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A loopback server that accepts connections and never sends a byte. */
/** A server that never speaks SSH: it greets each connection with `greet` (by default, silence). */
async function loopbackServer(greet: (socket: Socket) => void = () => undefined): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = await listen(
    createServer((socket) => {
      sockets.add(socket);
      greet(socket);
    }),
  );
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
