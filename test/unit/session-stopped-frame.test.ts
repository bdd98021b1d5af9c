/**
 * The `session.stopped` frame a stopping server sends last: its schema, and how
 * a SessionClient reads it off a real socket from a stand-in server (which
 * answers hello, then answers the next request as the test says): the reason when the frame
 * is valid, null when it is not or is missing, and a bad or oversized frame
 * reported as a problem, never thrown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionClient } from '../../src-main/core/session/session-client.js';
import { MAX_FRAME_CHARS, lineReader, sessionSocketPath, sessionStoppedEventSchema, sessionTokenPath } from '../../src-main/core/session/session-protocol.js';

describe('sessionStoppedEventSchema', () => {
  it('takes each reason a session stops for', () => {
    for (const reason of ['idle', 'lock', 'locked', 'sleep', 'signal']) {
      expect(sessionStoppedEventSchema.safeParse({ type: 'session.stopped', reason }).success).toBe(true);
    }
  });

  it('refuses another reason, a missing one, another type, and extra fields', () => {
    expect(sessionStoppedEventSchema.safeParse({ type: 'session.stopped', reason: 'bored' }).success).toBe(false);
    expect(sessionStoppedEventSchema.safeParse({ type: 'session.stopped' }).success).toBe(false);
    expect(sessionStoppedEventSchema.safeParse({ type: 'vault.locked', reason: 'lock' }).success).toBe(false);
    expect(sessionStoppedEventSchema.safeParse({ type: 'session.stopped', reason: 'lock', extra: 1 }).success).toBe(false);
  });
});

describe('a SessionClient told why the session stopped', () => {
  let dir: string;
  let server: Server | null = null;

  afterEach(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Connects a client to a stand-in session that answers hello, then answers the client's next request (a status,
   * asked once the client listens) with `reply`; resolves with what the client saw.
   */
  async function session(reply: (socket: Socket) => void): Promise<{ stopped: string | null; problems: string[] }> {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-stopped-frame-'));
    writeFileSync(sessionTokenPath(dir), 'a'.repeat(64), { mode: 0o600 });
    server = createServer((socket) => {
      socket.on(
        'data',
        lineReader(
          (line) => {
            const { kind, id } = JSON.parse(line) as { kind: string; id: number };
            if (kind === 'hello') socket.write(`${JSON.stringify({ id, ok: true, value: {} })}\n`);
            else reply(socket);
          },
          () => socket.destroy(),
        ),
      );
    });
    await new Promise<void>((resolve) => server!.listen(sessionSocketPath(dir), resolve));
    const client = await SessionClient.open(dir);
    expect(client).not.toBeNull();
    const problems: string[] = [];
    client!.onProblem((problem) => problems.push(problem));
    const stopped = new Promise<string | null>((resolve) => client!.onClose(resolve));
    // The stand-in never answers the status itself: it fails once the connection closes, or a bad frame arrives.
    await expect(client!.status()).rejects.toThrow();
    return { stopped: await stopped, problems };
  }

  const frame = (event: unknown) => `${JSON.stringify({ event })}\n`;

  it('hands the reason to its close listeners', async () => {
    expect(await session((socket) => socket.end(frame({ type: 'session.stopped', reason: 'lock' })))).toEqual({ stopped: 'lock', problems: [] });
  });

  it('closes with no reason when none came', async () => {
    expect(await session((socket) => socket.end())).toEqual({ stopped: null, problems: [] });
  });

  it('takes no reason from a frame that fails the schema, and reports it', async () => {
    const seen = await session((socket) => socket.end(frame({ type: 'session.stopped', reason: 'bored' })));
    expect(seen.stopped).toBeNull();
    expect(seen.problems).toEqual([expect.stringMatching(/not one of the app's/)]);
  });

  it('reports a malformed and an oversized frame, and still closes with no reason', async () => {
    const seen = await session((socket) => {
      socket.write('not json\n');
      socket.end('x'.repeat(MAX_FRAME_CHARS + 1));
    });
    expect(seen.stopped).toBeNull();
    expect(seen.problems).toEqual([expect.stringMatching(/malformed/), expect.stringMatching(/oversized/)]);
  });
});
