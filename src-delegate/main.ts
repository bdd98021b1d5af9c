/**
 * The delegate process. It is the only process that holds key material and
 * plaintext. It speaks JSON strings over Electron's utilityProcess port when
 * it has one, and over Node's fork IPC channel otherwise; every message is
 * size-checked and parsed before it is acted on.
 *
 * It starts in two steps, so that an unlock's key derivation need not wait
 * for the whole delegate to load: this file loads only what the start needs
 * (its sealing key, the log, the sanitizer and the `prepareUnlock` frame of
 * src-shared/delegate-start-protocol.ts) and says ready with its sealing key.
 * The request handlers (request-loop.ts) load on the first request.
 */
import { parseArgs } from 'node:util';
import { createSealRecipient, sealBindings } from '../src-shared/sealed-box.js';
import { MAX_DELEGATE_MESSAGE_CHARS, prepareUnlockFrameSchema, type DelegateReady, type PrepareUnlockFrame } from '../src-shared/delegate-start-protocol.js';
import { DelegateLog } from './delegate-log.js';
import { PreparedUnlocks } from './prepared-unlocks.js';
import type { startRequestLoop } from './request-loop.js';
import { Sanitizer } from './sanitizer.js';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const { values: args } = parseArgs({ options: { 'log-dir': { type: 'string' } }, strict: false });
const sanitizer = new Sanitizer();
const log = new DelegateLog(typeof args['log-dir'] === 'string' ? args['log-dir'] : null, sanitizer);
/** Electron's utilityProcess gives its child `process.parentPort`; plain Node's `process` has none. */
function isParentPort(port: unknown): port is ParentPort {
  return typeof port === 'object' && port !== null && 'on' in port && typeof port.on === 'function' && 'postMessage' in port && typeof port.postMessage === 'function';
}
const parentPort = 'parentPort' in process && isParentPort(process.parentPort) ? process.parentPort : undefined;
const send: (message: string) => void = parentPort
  ? (message) => parentPort.postMessage(message)
  : (message) => process.send?.(message);
const recipient = await createSealRecipient();
const preparedUnlocks = new PreparedUnlocks();

let requestLoop: ReturnType<typeof startRequestLoop> | null = null;
const requestHandler = () => (requestLoop ??= import('./request-loop.js').then(({ startRequestLoop }) => startRequestLoop({ sanitizer, log, recipient, preparedUnlocks, send })));

/** Starts the key derivation of the unlock main will send; a frame that does not open is dropped, as it would fail that unlock anyway. */
async function prepareUnlock({ sealed, kdf }: PrepareUnlockFrame['prepareUnlock']): Promise<void> {
  let passphrase: string | undefined;
  try {
    [passphrase] = await recipient.open(sealed, sealBindings.vaultUnlock());
  } catch {
    log.write('warn', 'dropped a prepareUnlock frame whose passphrase does not open');
    return;
  }
  if (passphrase === undefined) return;
  sanitizer.track(passphrase);
  preparedUnlocks.prepare(passphrase, kdf);
}

async function receive(raw: unknown): Promise<void> {
  if (typeof raw !== 'string' || raw.length > MAX_DELEGATE_MESSAGE_CHARS) {
    log.write('warn', 'dropped a message that is not a string or is too large', { length: typeof raw === 'string' ? raw.length : null });
    return;
  }
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    log.write('warn', 'dropped a message that is not JSON');
    return;
  }
  // Told apart by its one key, so a request does not pay for a failed parse of the other kind on the hot path.
  if (typeof message === 'object' && message !== null && 'prepareUnlock' in message) {
    const prepare = prepareUnlockFrameSchema.safeParse(message);
    if (!prepare.success) {
      log.write('warn', 'dropped a malformed prepareUnlock frame');
      return;
    }
    // The handlers load on the first request, not now: on two cores, loading them beside the derivation and
    // the owner's own start would slow all three, and the derivation is the longest.
    return prepareUnlock(prepare.data.prepareUnlock);
  }
  // Messages wait for the handlers in the order they came, since each awaits the same load.
  await (await requestHandler())(message);
}

if (parentPort) {
  parentPort.on('message', (event) => void receive(event.data));
} else {
  process.on('message', (message) => void receive(message));
  // The supervisor owns our lifetime: when its channel closes, nothing may outlive it holding keys.
  process.on('disconnect', () => process.exit(0));
  // Ctrl+C in a terminal reaches the whole foreground process group, us included. The owner decides:
  // the CLI stops its operation at a safe point and still needs us for that; when it exits, disconnect ends us.
  process.on('SIGINT', () => undefined);
}

log.write('info', 'delegate started');
const ready: DelegateReady = { ready: true, pid: process.pid, publicKey: recipient.publicKey };
send(JSON.stringify(ready));
