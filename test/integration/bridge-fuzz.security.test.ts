/**
 * Fuzzes a running bridge process, unlocked with a secret in its store, at
 * two levels:
 * - frames: hand-built WebSocket frames on raw TCP sockets (bad opcodes,
 *   reserved bits, unmasked, lengths that lie, fragments out of order,
 *   oversized or fragmented control frames, invalid UTF-8, bad close codes);
 * - messages: text frames carrying bad JSON, wrong types, huge and deep
 *   values, prototype keys, unknown channels, and known channels with
 *   requests no schema accepts.
 * Before and after, the store is hashed; after, the bridge and its delegate
 * must be the same processes, still serving, with the secret still revealing.
 * The size and seed come from STRONGROOM_FUZZ_* (see test/support/fuzz.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { channels, ipcErrorCodes } from '../../src-shared/contract.js';
import { CANARY_VALUE, expectAnswering, expectStillServing, residentKiB, startFuzzTarget, storeDigest, type FuzzTarget } from '../support/bridge-target.js';
import { buildFrame, handshakeHeaders, openRawSocket, openSocket, type FrameSpec } from '../support/bridge-wire.js';
import { tempDir } from '../support/core-harness.js';
import { FUZZ_FRAMES, FUZZ_IDLE_SECONDS, FUZZ_MESSAGES, FUZZ_SEED, FuzzRandom, hostileObjectJson, hostileValueJson } from '../support/fuzz.js';

const CHANNELS = Object.keys(channels);
const PLAUSIBLE_KEYS = ['id', 'name', 'description', 'limit', 'offset', 'query', 'sealedValue', 'sealedPassphrase', 'recipientPublicKey', 'purpose', 'managerId', 'type', 'version'];
/** Messages sent before waiting for their replies: below the bridge's bound on requests in flight. */
const BATCH = 16;
const TEXT = 0x1;
const CONTINUATION = 0x0;

/** One hostile text message for the message-level fuzzer. */
function hostileMessage(random: FuzzRandom, id: number): string {
  switch (random.int(0, 7)) {
    case 0:
      return random.string(200); // not JSON, or JSON of the wrong shape by chance
    case 1:
      return JSON.stringify({ id, channel: random.pick(CHANNELS), request: {} }).slice(0, random.int(1, 40)); // truncated
    case 2:
      return hostileValueJson(random); // a bare value, not a frame
    case 3: {
      // A frame whose own fields are wrong: id, channel or request missing or of the wrong type, extra or prototype keys.
      const fields = [
        random.bool(0.7) ? `"id":${random.bool() ? id : hostileValueJson(random, 4)}` : null,
        random.bool(0.7) ? `"channel":${random.bool() ? JSON.stringify(random.pick(CHANNELS)) : hostileValueJson(random, 4)}` : null,
        random.bool(0.5) ? `"request":${hostileObjectJson(random, 2)}` : null,
        random.bool(0.5) ? `"__proto__":{"polluted":true}` : null,
        random.bool(0.3) ? `${JSON.stringify(random.string(10))}:1` : null,
      ].filter((field) => field !== null);
      // At least one field is missing or wrong, so the frame can never be a valid request.
      if (fields.length === 3 && fields.every((field) => /^"(id|channel|request)":/.test(field))) fields.push('"extra":1');
      return `{${fields.join(',')}}`;
    }
    case 4: {
      const channel = random.pick(['', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'app.status ', 'APP.STATUS', random.string(64), 'x'.repeat(65)]);
      return `{"id":${id},"channel":${JSON.stringify(channel)},"request":{}}`;
    }
    default:
      // A real channel, with a request that has a key no strict schema accepts (or is no object at all).
      return `{"id":${id},"channel":${JSON.stringify(random.pick(CHANNELS))},"request":${random.bool(0.8) ? hostileObjectJson(random, 1, PLAUSIBLE_KEYS) : hostileValueJson(random, 1)}}`;
  }
}

/** One hostile sequence of frames for the frame-level fuzzer. */
function hostileFrames(random: FuzzRandom): Buffer[] {
  const small = () => random.bytes(random.int(0, 64));
  const anyFrame = (): FrameSpec => ({
    opcode: random.int(0, 15),
    payload: small(),
    fin: random.bool(0.8),
    masked: random.bool(0.9),
    rsv: random.bool(0.85) ? 0 : random.int(1, 7),
  });
  switch (random.int(0, 9)) {
    case 0:
      return [buildFrame(anyFrame())];
    case 1:
      return [buildFrame({ opcode: TEXT, payload: Buffer.concat([Buffer.from('{"id":1,'), random.bytes(random.int(1, 16)), Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80])]) })];
    case 2:
      return [buildFrame({ opcode: TEXT, payload: Buffer.from('{"id":1,"channel":"app.status","request":{}}'), masked: false })];
    case 3: {
      // The length lies: longer than what follows (the socket then ends), or absurd.
      const announcedLength = random.pick([BigInt(random.int(65, 65535)), 2n ** 31n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n]);
      return [buildFrame({ opcode: TEXT, payload: small(), announcedLength })];
    }
    case 4:
      // Fragments out of order: a continuation with nothing to continue, a new message inside an open one.
      return [
        buildFrame({ opcode: random.pick([CONTINUATION, TEXT]), payload: Buffer.from('{"id":'), fin: false }),
        buildFrame({ opcode: random.pick([TEXT, 0x2, CONTINUATION]), payload: Buffer.from('2,'), fin: random.bool() }),
        buildFrame({ opcode: CONTINUATION, payload: Buffer.from('"channel":"app.status","request":{}}'), fin: true }),
      ];
    case 5:
      // Control frames: too long (over 125 bytes) or fragmented, or a ping inside a fragmented message.
      return [
        buildFrame({ opcode: TEXT, payload: Buffer.from('{"id":3,"chan'), fin: false }),
        buildFrame({ opcode: random.pick([0x9, 0xa, 0x8]), payload: random.bytes(random.pick([0, 10, 125, 126, 200])), fin: random.bool(0.7) }),
        buildFrame({ opcode: CONTINUATION, payload: Buffer.from('nel":"app.status","request":{}}') }),
      ];
    case 6: {
      // Close frames with a 1-byte body, reserved or out-of-range codes, or invalid UTF-8 in the reason.
      const body = random.pick([
        Buffer.from([3]),
        Buffer.from([0x03, 0xe7]),
        Buffer.from([0x03, 0xed]),
        Buffer.from([0x13, 0x88]),
        Buffer.from([0xff, 0xff]),
        Buffer.from([0x03, 0xe8, 0xff, 0xfe]),
      ]);
      return [buildFrame({ opcode: 0x8, payload: body })];
    }
    case 7:
      // A binary frame, which the bridge does not speak.
      return [buildFrame({ opcode: 0x2, payload: small() })];
    case 8:
      // Raw garbage after the handshake.
      return [random.bytes(random.int(1, 256))];
    default:
      return Array.from({ length: random.int(2, 6) }, () => buildFrame(anyFrame()));
  }
}

describe(`bridge fuzzing (seed ${FUZZ_SEED}, ${FUZZ_MESSAGES} messages, ${FUZZ_FRAMES} frame sequences)`, () => {
  const dir = tempDir('strongroom-fuzz-');
  let target: FuzzTarget;

  beforeAll(async () => {
    target = await startFuzzTarget(dir.path);
  });
  afterAll(async () => {
    target?.control.terminate();
    await target?.bridge.stop();
    dir.remove();
  });

  it('frame level: every hostile frame closes at most its own socket; the store is unchanged and the bridge still serves', async () => {
    const random = new FuzzRandom(FUZZ_SEED);
    const digestBefore = storeDigest(dir.path);
    for (let n = 0; n < FUZZ_FRAMES; n++) {
      const raw = await openRawSocket(target.session);
      for (const frame of hostileFrames(random)) raw.socket.write(frame);
      raw.socket.end();
      await raw.ended;
      if (n % 50 === 49) await expectAnswering(target);
    }
    expect(storeDigest(dir.path)).toBe(digestBefore);
    const after = await expectStillServing(target);
    expect(after.delegatePids).toEqual(target.delegatePids);
    expect(after.revealed).toBe(CANARY_VALUE);
  });

  it('message level: every hostile message gets one typed error, the store is unchanged and the bridge still serves', async () => {
    const random = new FuzzRandom(FUZZ_SEED + 1);
    const digestBefore = storeDigest(dir.path);
    const socket: WebSocket = await openSocket(target.session.port, handshakeHeaders(target.session));
    const replies: { id?: number; result?: { ok: boolean; error?: { code: string } } }[] = [];
    let closed = false;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as (typeof replies)[number] & { event?: unknown };
      if (!frame.event) replies.push(frame);
    });
    socket.on('close', () => (closed = true));
    const rssBefore = residentKiB(target.bridge.pid);
    console.log(`before: bridge RSS ${rssBefore} KiB, delegate RSS ${target.delegatePids.map(residentKiB).join(', ')} KiB`);

    let sent = 0;
    while (sent < FUZZ_MESSAGES) {
      const batch = Math.min(BATCH, FUZZ_MESSAGES - sent);
      for (let i = 0; i < batch; i++) socket.send(hostileMessage(random, sent + i + 1));
      sent += batch;
      while (replies.length < sent) {
        if (closed) throw new Error(`the socket closed after message ${sent - batch + 1}..${sent} (seed ${FUZZ_SEED})`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    socket.close();

    const codes = new Map<string, number>();
    for (const reply of replies) {
      const code = reply.result?.ok ? 'ok' : (reply.result?.error?.code ?? 'none');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    console.log(`message fuzz: ${replies.length} replies ${JSON.stringify(Object.fromEntries(codes))}; bridge RSS ${rssBefore} KiB before, ${residentKiB(target.bridge.pid)} KiB after`);
    for (let second = 5; second <= FUZZ_IDLE_SECONDS; second += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      console.log(`idle ${second} s: bridge RSS ${residentKiB(target.bridge.pid)} KiB, delegate RSS ${target.delegatePids.map(residentKiB).join(', ')} KiB`);
    }
    expect(replies).toHaveLength(FUZZ_MESSAGES);
    // Every reply is a typed refusal; none is ok, none is INTERNAL (something threw that should have been validated).
    expect([...codes.keys()].filter((code) => !(ipcErrorCodes as readonly string[]).includes(code) || code === 'INTERNAL')).toEqual([]);
    expect(storeDigest(dir.path)).toBe(digestBefore);

    const after = await expectStillServing(target);
    expect(after.delegatePids).toEqual(target.delegatePids);
    expect(after.revealed).toBe(CANARY_VALUE);
  });
});
