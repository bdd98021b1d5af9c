/**
 * The delegate process. It is the only process that holds key material and
 * plaintext. It speaks JSON strings over Electron's utilityProcess port when
 * it has one, and over Node's fork IPC channel otherwise; every message is
 * size-checked and parsed with src-shared/delegate-protocol.ts before it is acted on.
 */
import { parseArgs } from 'node:util';
import {
  MAX_DELEGATE_MESSAGE_CHARS,
  delegateEnvelopeSchema,
  delegateRequestSchema,
  type DelegateReply,
} from '../src-shared/delegate-protocol.js';
import { DelegateService } from './delegate-service.js';
import { DelegateFailure } from './delegate-failure.js';
import { DelegateLog } from './delegate-log.js';
import { kindsWithoutProvider } from './managers/registry.js';
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
const service = await DelegateService.create(sanitizer, log, (event) => send(JSON.stringify(event)));

/** Results carry only ciphertext and sealed values; the one free text, an error message, is masked where it is built. */
function reply(message: DelegateReply): void {
  send(JSON.stringify(message));
}

async function receive(raw: unknown): Promise<void> {
  if (typeof raw !== 'string' || raw.length > MAX_DELEGATE_MESSAGE_CHARS) {
    log.write('warn', 'dropped a message that is not a string or is too large', { length: typeof raw === 'string' ? raw.length : null });
    return;
  }
  let envelope;
  try {
    envelope = delegateEnvelopeSchema.parse(JSON.parse(raw));
  } catch {
    log.write('warn', 'dropped a message without a valid envelope');
    return;
  }
  const parsed = delegateRequestSchema.safeParse(envelope.request);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    reply({ id: envelope.id, ok: false, error: { code: 'BAD_REQUEST', message: sanitizer.mask(`Invalid request: ${detail}`).slice(0, 2000) } });
    return;
  }
  try {
    const result = await service.handle(parsed.data);
    reply({ id: envelope.id, ok: true, result });
  } catch (error) {
    if (error instanceof DelegateFailure) {
      const issues = error.issues?.map((issue) => ({ path: issue.path.slice(0, 64), message: sanitizer.mask(issue.message).slice(0, 300) }));
      const provider = error.provider ? { ...error.provider, ...(error.provider.permission ? { permission: sanitizer.mask(error.provider.permission).slice(0, 512) } : {}) } : undefined;
      reply({
        id: envelope.id,
        ok: false,
        error: {
          code: error.code,
          message: sanitizer.mask(error.message).slice(0, 2000),
          ...(issues ? { issues } : {}),
          ...(provider ? { provider } : {}),
          ...(error.orphans ? { orphans: error.orphans.map((name) => name.slice(0, 128)) } : {}),
        },
      });
    } else {
      log.write('error', 'operation failed unexpectedly', { op: parsed.data.op, error: String(error) });
      reply({ id: envelope.id, ok: false, error: { code: 'INTERNAL', message: `The delegate failed during ${parsed.data.op}.` } });
    }
  }
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
// A kind described without its provider works nowhere; say which, once, rather than only when a manager of it is used.
const unprovidedKinds = kindsWithoutProvider();
if (unprovidedKinds.length > 0) log.write('warn', 'manager kinds described without a provider', { kinds: unprovidedKinds.join(', ') });
send(JSON.stringify({ ready: true, pid: process.pid }));
