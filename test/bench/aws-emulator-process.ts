/**
 * One AWS emulator in a process of its own (the migration bench's emulated clouds): a real cloud's CPU is not on
 * the client's machine, so the bench keeps the emulators' work, and their event loop, apart from main's. The
 * emulator is the unchanged test emulator, signature verification included. It says where it listens once, then
 * answers the bench's requests on the IPC channel (validated here), and exits when that channel closes.
 */
import { z } from 'zod';
import { startAwsEmulator } from '../emulators/aws-emulator.js';
import { installLatencyProbe, readLatencyProbe } from './latency-probes.js';

const requestSchema = z.discriminatedUnion('op', [
  z.strictObject({ id: z.number().int(), op: z.literal('setFaults'), latencyMs: z.number().min(0).max(10_000) }),
  z.strictObject({ id: z.number().int(), op: z.literal('calls'), operation: z.string().max(100) }),
  z.strictObject({ id: z.number().int(), op: z.literal('mostInFlight'), service: z.string().max(100), reset: z.boolean() }),
  z.strictObject({ id: z.number().int(), op: z.literal('installProbe') }),
  z.strictObject({ id: z.number().int(), op: z.literal('readProbe') }),
]);

const emulator = await startAwsEmulator();
process.on('message', (message) => {
  const parsed = requestSchema.safeParse(message);
  if (!parsed.success) {
    process.send?.({ id: (message as { id?: unknown })?.id ?? null, error: `bad request: ${parsed.error.issues.map((issue) => issue.message).join('; ')}` });
    return;
  }
  const request = parsed.data;
  let value: unknown = null;
  if (request.op === 'setFaults') emulator.setFaults({ latencyMs: request.latencyMs });
  else if (request.op === 'calls') value = emulator.calls.count(request.operation);
  else if (request.op === 'mostInFlight') {
    value = emulator.calls.mostInFlight(request.service);
    if (request.reset) emulator.calls.resetMostInFlight();
  }
  else if (request.op === 'installProbe') installLatencyProbe('server');
  else value = readLatencyProbe();
  process.send?.({ id: request.id, value });
});
process.on('disconnect', () => void emulator.close().finally(() => process.exit(0)));
process.send?.({ ready: { endpoint: emulator.endpoint, region: emulator.region, credentials: emulator.credentials } });
