/**
 * KMS benchmark: create, then reveal, N KMS-protected secrets against the AWS
 * KMS emulator with injected latency, once wrapping every data key with KMS
 * directly and once through intermediate keys and their cache.
 *
 * Each phase reports its KMS calls, its wall time, and the wall time as a
 * ratio to the lower bound of providers-wire.md ("Bulk operations"):
 * T >= max(N·k/R, ceil(N/C)·k·L). We write N·k as M, the KMS calls the phase
 * made, and use ceil(M/C)·L: identical for the direct mode (k = 1), and the
 * true bound for intermediate keys, where M calls of one round trip each
 * cannot take less than one latency however small k is.
 *
 * The emulator runs in this process, so its CPU shares the event loop with the
 * client's: the ratio includes it, as a slower network would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startAwsEmulator } from '../emulators/aws-emulator.js';
import * as awsKms from '../../src-delegate/providers/aws-kms.js';
import { IntermediateKeyCache, IntermediateKeys } from '../../src-delegate/providers/intermediate-keys.js';
import { open, seal } from '../../src-delegate/aead.js';
import { valueAad } from '../../src-delegate/envelope.js';
import type { SecretAddress } from '../../src-shared/delegate-protocol.js';

export interface KmsBenchOptions {
  /** Secrets created and revealed (default 1,000). */
  secrets?: number;
  /** Latency the emulator adds to every call, in ms (default 20). */
  latencyMs?: number;
  /** KMS calls in flight at once (default 32). */
  concurrency?: number;
  /** The request quota R used in the bound (default 10,000/s, AWS KMS's shared cryptographic quota). */
  ratePerSecond?: number;
}

export interface KmsBenchPhase {
  kmsCalls: number;
  wallMs: number;
  lowerBoundMs: number;
  /** wallMs / lowerBoundMs. */
  ratio: number;
}

export interface KmsBenchResult {
  secrets: number;
  latencyMs: number;
  concurrency: number;
  ratePerSecond: number;
  direct: { create: KmsBenchPhase; reveal: KmsBenchPhase };
  intermediate: { create: KmsBenchPhase; reveal: KmsBenchPhase };
  /** Direct reveal calls divided by intermediate reveal calls. */
  revealCallReduction: number;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping results in order. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function runKmsBench(options: KmsBenchOptions = {}): Promise<KmsBenchResult> {
  const count = options.secrets ?? 1000;
  const latencyMs = options.latencyMs ?? 20;
  const concurrency = options.concurrency ?? 32;
  const ratePerSecond = options.ratePerSecond ?? 10_000;
  const emulator = await startAwsEmulator();
  try {
    const keyManager = awsKms.create({ region: emulator.region, endpoint: emulator.endpoint, credentials: emulator.credentials, keyArn: emulator.keyArn });
    const managerId = 'bench-aws-kms';
    const secrets = Array.from({ length: count }, (_, i) => ({
      address: { secretId: randomUUID(), version: 1, type: 'text', managerId } satisfies SecretAddress,
      value: Buffer.from(`benchmark secret ${i} ${randomBytes(12).toString('hex')}`),
    }));
    const context = (address: SecretAddress) => ({ secretId: address.secretId, version: String(address.version), managerId });

    const phase = async (work: () => Promise<void>): Promise<KmsBenchPhase> => {
      const before = emulator.calls.count('kms:*');
      const started = performance.now();
      await work();
      const wallMs = performance.now() - started;
      const kmsCalls = emulator.calls.count('kms:*') - before;
      const lowerBoundMs = Math.max((kmsCalls / ratePerSecond) * 1000, Math.ceil(kmsCalls / concurrency) * latencyMs);
      return { kmsCalls, wallMs: Math.round(wallMs), lowerBoundMs, ratio: lowerBoundMs > 0 ? Math.round((wallMs / lowerBoundMs) * 100) / 100 : 0 };
    };

    // Warm the connection pool and the SDK so neither mode pays first-call costs.
    await keyManager.unwrapKey((await keyManager.wrapKey(randomBytes(32), {})).wrapped, {});
    emulator.setFaults({ latencyMs });

    let direct: { ciphertext: Buffer; wrappedKey: Buffer }[] = [];
    const directCreate = await phase(async () => {
      direct = await pooled(secrets, concurrency, async (secret) => {
        const dataKey = randomBytes(32);
        const ciphertext = seal(dataKey, secret.value, valueAad(secret.address));
        const { wrapped } = await keyManager.wrapKey(dataKey, context(secret.address));
        dataKey.fill(0);
        return { ciphertext, wrappedKey: wrapped };
      });
    });
    const directReveal = await phase(async () => {
      await pooled(secrets, concurrency, async (secret, index) => {
        const stored = direct[index]!;
        const dataKey = await keyManager.unwrapKey(stored.wrappedKey, context(secret.address));
        open(dataKey, stored.ciphertext, valueAad(secret.address));
        dataKey.fill(0);
      });
    });

    const cache = new IntermediateKeyCache();
    const layer = new IntermediateKeys({ managerId, keyManager, cache });
    let stored: Awaited<ReturnType<IntermediateKeys['wrapDataKeys']>> = { records: [], wrapped: [] };
    let ciphertexts: Buffer[] = [];
    const intermediateCreate = await phase(async () => {
      const dataKeys = secrets.map(() => randomBytes(32));
      ciphertexts = secrets.map((secret, i) => seal(dataKeys[i]!, secret.value, valueAad(secret.address)));
      stored = await layer.wrapDataKeys(null, secrets.map((secret, i) => ({ dataKey: dataKeys[i]!, address: secret.address })));
      for (const key of dataKeys) key.fill(0);
    });
    // A reveal in a new session: nothing cached, as after unlocking.
    cache.clear();
    const intermediateReveal = await phase(async () => {
      const dataKeys = await layer.unwrapDataKeys(stored.records, stored.wrapped.map((wrapped, i) => ({ wrapped, address: secrets[i]!.address })));
      secrets.forEach((secret, i) => open(dataKeys[i]!, ciphertexts[i]!, valueAad(secret.address)));
      for (const key of dataKeys) key.fill(0);
    });

    return {
      secrets: count,
      latencyMs,
      concurrency,
      ratePerSecond,
      direct: { create: directCreate, reveal: directReveal },
      intermediate: { create: intermediateCreate, reveal: intermediateReveal },
      revealCallReduction: intermediateReveal.kmsCalls > 0 ? directReveal.kmsCalls / intermediateReveal.kmsCalls : Infinity,
    };
  } finally {
    await emulator.close();
  }
}
