/**
 * The emulator of "kv-lite", the test-only manager kind that follows the
 * recipe in docs/architecture.md ("Adding a manager kind"). A versioned
 * key-value store over HTTP on loopback: a bearer token is checked on every
 * request, each write adds a version, a create can ask for the name to be
 * free (409 otherwise), and a delete removes the versions it names (the
 * secret goes with its last version). Faults (429, 503) can be injected, and
 * requests are counted.
 *
 *   GET    /v1/health
 *   GET    /v1/secrets/:name[?version=N]   -> { value, version }
 *   PUT    /v1/secrets/:name               { value, create } -> { version }
 *   DELETE /v1/secrets/:name?versions=1,2  -> { removed: 'secret' | 'versions' | 'nothing' }
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Entry {
  versions: Map<number, string>;
  next: number;
}

export interface KvLiteEmulator {
  url: string;
  token: string;
  /** Writes a value the way an admin would, outside Strongroom: a new secret, or a new version. */
  writeOutside(name: string, value: string): number;
  throttleNext(count: number): void;
  serverErrorNext(count: number): void;
  clear(): void;
  /** Requests to /v1/secrets, refused and failed ones included. */
  calls(): number;
  /** PUT and DELETE requests. */
  writeCalls(): number;
  close(): Promise<void>;
}

export async function startKvLiteEmulator(): Promise<KvLiteEmulator> {
  const token = randomBytes(16).toString('hex');
  const secrets = new Map<string, Entry>();
  let throttle = 0;
  let serverErrors = 0;
  let calls = 0;
  let writes = 0;

  const write = (name: string, value: string): number => {
    const entry = secrets.get(name) ?? { versions: new Map<number, string>(), next: 1 };
    secrets.set(name, entry);
    const version = entry.next++;
    entry.versions.set(version, value);
    return version;
  };

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const readBody = async (request: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isSecrets = url.pathname.startsWith('/v1/secrets/');
    if (isSecrets) {
      calls++;
      if (request.method === 'PUT' || request.method === 'DELETE') writes++;
    }
    if (request.headers.authorization !== `Bearer ${token}`) return send(response, 401, { error: 'unknown token' });
    if (throttle > 0) {
      throttle--;
      return send(response, 429, { error: 'slow down' });
    }
    if (serverErrors > 0) {
      serverErrors--;
      return send(response, 503, { error: 'unavailable' });
    }
    if (url.pathname === '/v1/health') return send(response, 200, { ok: true });
    if (!isSecrets) return send(response, 404, { error: 'no such route' });
    const name = decodeURIComponent(url.pathname.slice('/v1/secrets/'.length));
    const entry = secrets.get(name);
    if (request.method === 'GET') {
      if (!entry) return send(response, 404, { error: 'no such secret' });
      const version = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : Math.max(...entry.versions.keys());
      const value = entry.versions.get(version);
      return value === undefined ? send(response, 404, { error: 'no such version' }) : send(response, 200, { value, version });
    }
    if (request.method === 'PUT') {
      const body = JSON.parse(await readBody(request)) as { value: string; create: boolean };
      if (body.create && entry) return send(response, 409, { error: 'the name is taken' });
      return send(response, 201, { version: write(name, body.value) });
    }
    if (request.method === 'DELETE') {
      if (!entry) return send(response, 200, { removed: 'nothing' });
      const listed = (url.searchParams.get('versions') ?? '').split(',').filter(Boolean).map(Number);
      const gone = listed.filter((version) => entry.versions.delete(version));
      if (entry.versions.size === 0) {
        secrets.delete(name);
        return send(response, 200, { removed: 'secret' });
      }
      return send(response, 200, { removed: gone.length > 0 ? 'versions' : 'nothing' });
    }
    return send(response, 405, { error: 'method not allowed' });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, { error: 'emulator failure' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    writeOutside: write,
    throttleNext: (count) => void (throttle = count),
    serverErrorNext: (count) => void (serverErrors = count),
    clear: () => {
      throttle = 0;
      serverErrors = 0;
    },
    calls: () => calls,
    writeCalls: () => writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
