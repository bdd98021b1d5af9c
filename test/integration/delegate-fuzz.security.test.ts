/**
 * Fuzzes the main→delegate protocol against a real delegate process that
 * holds an unlocked keyring: values that are not strings, strings that are
 * not JSON, envelopes of the wrong shape, and well-formed envelopes carrying
 * requests no schema accepts (real and unknown ops, wrong types, huge and
 * deep values, prototype keys). Envelopes that parse get exactly one typed
 * refusal; the rest are dropped. Afterwards it is the same process, with the
 * same sealing key, still unlocked, and still answering.
 * The size and seed come from STRONGROOM_FUZZ_* (see test/support/fuzz.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealBindings, sealValues } from '../../src-shared/contract.js';
import { delegateRequestSchema } from '../../src-shared/delegate-protocol.js';
import { DELEGATE_ENTRY, PASSPHRASE, requireBuild } from '../support/core-harness.js';
import { FUZZ_MESSAGES, FUZZ_SEED, FuzzRandom, hostileObjectJson, hostileValueJson } from '../support/fuzz.js';

interface Reply {
  id: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string };
}

const OPS = delegateRequestSchema.options.map((option) => option.shape.op.value as string);
const PLAUSIBLE_KEYS = ['sealed', 'items', 'recipientPublicKey', 'manager', 'managers', 'managerId', 'entries', 'chunks', 'reference', 'names', 'kind', 'header', 'line'];
const BATCH = 16;

type Hostile = { kind: 'dropped'; message: unknown } | { kind: 'answered'; message: string };

function hostileMessage(random: FuzzRandom, id: number): Hostile {
  switch (random.int(0, 6)) {
    case 0:
      // Not a string: the fork channel carries any JSON value.
      return { kind: 'dropped', message: random.pick<unknown>([{ id, request: { op: 'hello' } }, [id], id, true, { op: 'keyring.status' }]) };
    case 1:
      return { kind: 'dropped', message: random.string(200).replace(/^\s*[[{"\d-tfn]/, 'x') };
    case 2:
      // An envelope of the wrong shape: a bad id, a missing request, extra or prototype keys.
      return {
        kind: 'dropped',
        message: random.pick([
          `{"id":${random.pick(['0', '-1', '1.5', '"1"', 'null', 'true', '[]', '{}', '1e999', '9007199254740993.5'])},"request":{"op":"hello"}}`,
          `{"id":${id}}`,
          `{"id":${id},"request":{"op":"hello"},${JSON.stringify(random.pick(['__proto__', 'constructor', 'extra']))}:{}}`,
          `{"id":0,"request":{"op":"hello"}}`,
          hostileValueJson(random, 4),
        ]),
      };
    case 3:
      return { kind: 'answered', message: `{"id":${id},"request":${hostileValueJson(random)}}` };
    case 4:
      return { kind: 'answered', message: `{"id":${id},"request":{"op":${JSON.stringify(random.pick(['', 'keyring.export', '__proto__', 'constructor', 'HELLO', random.string(20)]))}}}` };
    default: {
      // A real op with a request that has a key no strict schema accepts.
      const fields = hostileObjectJson(random, 1, PLAUSIBLE_KEYS).slice(1, -1);
      return { kind: 'answered', message: `{"id":${id},"request":{"op":${JSON.stringify(random.pick(OPS))},${fields}}}` };
    }
  }
}

describe(`delegate protocol fuzzing (seed ${FUZZ_SEED}, ${FUZZ_MESSAGES} messages)`, () => {
  let child: ChildProcess;
  const replies = new Map<number, Reply>();
  let nextId = 1;

  const ask = async (request: unknown): Promise<Reply> => {
    const id = nextId++;
    child.send(JSON.stringify({ id, request }));
    while (!replies.has(id)) {
      if (child.exitCode !== null) throw new Error(`the delegate exited (${child.exitCode})`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return replies.get(id)!;
  };

  beforeAll(async () => {
    requireBuild();
    child = fork(DELEGATE_ENTRY, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json', env: { PATH: process.env.PATH ?? '' } });
    child.on('message', (message) => {
      const reply = JSON.parse(message as string) as Reply;
      if (typeof reply.id === 'number') replies.set(reply.id, reply);
    });
  });
  afterAll(() => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  });

  it('refuses every hostile message typed or drops it, and stays the same unlocked process', async () => {
    const hello = await ask({ op: 'hello' });
    const publicKey = hello.result!.publicKey as string;
    const created = await ask({ op: 'keyring.create', sealed: await sealValues(publicKey, sealBindings.vaultCreate(), [PASSPHRASE]) });
    expect(created).toMatchObject({ ok: true });

    const random = new FuzzRandom(FUZZ_SEED + 2);
    const firstFuzzId = nextId;
    const answered: number[] = [];
    let sent = 0;
    while (sent < FUZZ_MESSAGES) {
      const batch = Math.min(BATCH, FUZZ_MESSAGES - sent);
      const waitingFor: number[] = [];
      for (let i = 0; i < batch; i++) {
        const id = nextId++;
        const hostile = hostileMessage(random, id);
        child.send(hostile.message as string);
        if (hostile.kind === 'answered') waitingFor.push(id);
      }
      sent += batch;
      answered.push(...waitingFor);
      while (!waitingFor.every((id) => replies.has(id))) {
        if (child.exitCode !== null) throw new Error(`the delegate exited (${child.exitCode}) during messages ${sent - batch + 1}..${sent} (seed ${FUZZ_SEED})`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }

    const fuzzReplies = [...replies.entries()].filter(([id]) => id >= firstFuzzId).map(([, reply]) => reply);
    const codes = new Map<string, number>();
    for (const reply of fuzzReplies) {
      const code = reply.ok ? 'ok' : (reply.error?.code ?? 'none');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    console.log(`delegate fuzz: ${sent} sent, ${answered.length} answerable, ${fuzzReplies.length} replies ${JSON.stringify(Object.fromEntries(codes))}`);
    // Exactly the answerable ones were answered, each with a typed refusal.
    expect(fuzzReplies.map((reply) => reply.id).sort((a, b) => a - b)).toEqual(answered.sort((a, b) => a - b));
    expect([...codes.keys()]).toEqual(['BAD_REQUEST']);

    const helloAfter = await ask({ op: 'hello' });
    expect(helloAfter.result).toMatchObject({ publicKey, pid: child.pid });
    expect(await ask({ op: 'keyring.status' })).toMatchObject({ ok: true, result: { unlocked: true } });
  });
});
