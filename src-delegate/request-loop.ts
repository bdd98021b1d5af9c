/**
 * The delegate's requests: every message is parsed with
 * src-shared/delegate-protocol.ts before it is acted on, handled by the
 * service, and answered with a reply that carries only ciphertext and sealed
 * values. Loaded by main.ts on the delegate's first message, since building
 * the contract's schemas and the handlers is most of the delegate's start.
 */
import { delegateEnvelopeSchema, delegateRequestSchema, type DelegateReply, type SealRecipient } from '../src-shared/delegate-protocol.js';
import { DelegateService } from './delegate-service.js';
import { DelegateFailure } from './delegate-failure.js';
import type { DelegateLog } from './delegate-log.js';
import { kindsWithoutProvider } from './managers/registry.js';
import type { PreparedUnlocks } from './prepared-unlocks.js';
import type { Sanitizer } from './sanitizer.js';

export interface RequestLoopParts {
  sanitizer: Sanitizer;
  log: DelegateLog;
  recipient: SealRecipient;
  preparedUnlocks: PreparedUnlocks;
  /** Sends one JSON text to main. */
  send(message: string): void;
}

/** Returns the handler of each parsed JSON message from main. */
export async function startRequestLoop({ sanitizer, log, recipient, preparedUnlocks, send }: RequestLoopParts): Promise<(message: unknown) => Promise<void>> {
  const service = await DelegateService.create(sanitizer, log, (event) => send(JSON.stringify(event)), recipient, preparedUnlocks);
  // A kind described without its provider works nowhere; say which, once, rather than only when a manager of it is used.
  const unprovidedKinds = kindsWithoutProvider();
  if (unprovidedKinds.length > 0) log.write('warn', 'manager kinds described without a provider', { kinds: unprovidedKinds.join(', ') });

  /** The one free text of a reply, an error message, is masked where it is built. */
  const reply = (message: DelegateReply) => send(JSON.stringify(message));

  return async function receive(message: unknown): Promise<void> {
    let envelope;
    try {
      envelope = delegateEnvelopeSchema.parse(message);
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
  };
}
