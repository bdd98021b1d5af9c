/**
 * A manager kind that is described but whose provider was never registered
 * (the description loaded without its provider, as a test-only kind's
 * description can be) fails with a typed KIND_UNAVAILABLE naming the kind
 * wherever the delegate would open or configure one, and the delegate names
 * it when it starts. kv-lite's description is imported here; its
 * provider-registration module is not.
 */
// The description registers the kind when imported; it comes first, before the protocol's kind lists are built.
import '../kinds/kv-lite/description.js';
import { describe, expect, it } from 'vitest';
import { delegateRequestSchema, sealBindings, sealValues, toBase64, type DelegateRequest } from '../../src-shared/delegate-protocol.js';
import { externalManagerKinds } from '../../src-shared/manager-kinds.js';
import { DelegateService } from '../../src-delegate/delegate-service.js';
import { DelegateFailure } from '../../src-delegate/delegate-failure.js';
import { DelegateLog } from '../../src-delegate/delegate-log.js';
import { Sanitizer } from '../../src-delegate/sanitizer.js';
import { kindsWithoutProvider } from '../../src-delegate/managers/registry.js';
import { toAppError } from '../../src-main/core/app-error.js';
import { DelegateCallError } from '../../src-main/core/delegate/supervisor.js';
import { PASSPHRASE } from '../support/core-harness.js';

async function unlockedService(): Promise<{ service: DelegateService; handle: (request: unknown) => Promise<unknown> }> {
  const sanitizer = new Sanitizer();
  const service = await DelegateService.create(sanitizer, new DelegateLog(null, sanitizer));
  // Every request is parsed by the protocol's schema first, as the delegate's main does.
  const handle = (request: unknown) => service.handle(delegateRequestSchema.parse(request) as DelegateRequest);
  const { publicKey } = (await handle({ op: 'hello' })) as { publicKey: string };
  await handle({ op: 'keyring.create', sealed: await sealValues(publicKey, sealBindings.vaultCreate(), [PASSPHRASE]) });
  return { service, handle };
}

async function failureOf(promise: Promise<unknown>): Promise<DelegateFailure> {
  const error = await promise.then(
    () => new Error('the request unexpectedly succeeded'),
    (caught: unknown) => caught,
  );
  if (!(error instanceof DelegateFailure)) throw error;
  return error;
}

describe('a manager kind described without a provider', () => {
  it('is a kind the protocol accepts, and the startup check names it', () => {
    expect(externalManagerKinds).toContain('kv-lite');
    expect(kindsWithoutProvider()).toEqual(['kv-lite']);
  });

  it('fails configure, test and open with KIND_UNAVAILABLE naming the kind, which main shows as such', async () => {
    const { handle } = await unlockedService();
    const { publicKey } = (await handle({ op: 'hello' })) as { publicKey: string };
    const sealed = await sealValues(publicKey, sealBindings.managerConfig('kv'), [JSON.stringify({ url: 'https://kv-lite.example', token: 'token-value' })]);
    const manager = { id: 'm-kv', kind: 'kv-lite', configVersion: 1, readOnly: false, config: { ciphertext: toBase64(new Uint8Array(64)), keyringVersion: 1 } };

    const failures = [
      await failureOf(handle({ op: 'manager.configure', sealed, name: 'kv', managerId: 'm-kv', kind: 'kv-lite' })),
      await failureOf(handle({ op: 'manager.test', manager })),
      await failureOf(handle({ op: 'manager.currentKeyVersion', manager })),
    ];
    for (const failure of failures) {
      expect(failure.code).toBe('KIND_UNAVAILABLE');
      expect(failure.message).toContain('"kv-lite"');
    }
    // manager.open reports the manager it could not open, and goes on.
    expect(await handle({ op: 'manager.open', managers: [manager] })).toEqual({ failed: ['m-kv'] });

    const shown = toAppError(new DelegateCallError(failures[0]!.code, failures[0]!.message)).toIpcError();
    expect(shown.code).toBe('KIND_UNAVAILABLE');
    expect(shown.message).toContain('"kv-lite"');
  });
});
