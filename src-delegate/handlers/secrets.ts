/** Storing, re-encrypting and revealing secret values, and the remote values of secret stores. */
import { z } from 'zod';
import { sealBindings, sealValues, type DelegateRequest, type KeyInspection, type SecretFacts } from '../../src-shared/delegate-protocol.js';
import { MAX_KEY_CHARS } from '../../src-shared/secret-types.js';
import { ProviderError } from '../providers/provider.js';
import { InvalidSecretError, inspectPrivateKey, inspectSecret } from '../secret-inspector.js';
import { DelegateFailure } from '../delegate-failure.js';
import { openValues, storeValues } from './stored-values.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

/** What a sealed key to inspect must hold: the key, and its passphrase ('' for none). */
const keyToInspectSchema = z.tuple([z.string().min(1).max(MAX_KEY_CHARS), z.string().max(1024)]);

export function secretsHandlers(ctx: DelegateContext) {
  return {
    'secrets.encrypt': async (request) => {
      const keyring = ctx.requireKeyring();
      const values = await ctx.openSealed(request.sealed, request.binding);
      checkTargetsMatchBinding(request);
      if (values.length !== request.targets.length) {
        throw new DelegateFailure('BAD_REQUEST', `The sealed batch holds ${values.length} values for ${request.targets.length} targets.`);
      }
      values.forEach((value) => ctx.trackPayload(value));
      const facts: SecretFacts[] = [];
      for (const [i, target] of request.targets.entries()) {
        const payload = values[i]!;
        try {
          facts.push(await inspectSecret(target.address.type, target.metadata, payload));
        } catch (error) {
          if (error instanceof InvalidSecretError) {
            const label = target.name ? `"${target.name}"` : 'this secret';
            throw new DelegateFailure('INVALID_SECRET', ctx.sanitizer.mask(`The value of ${label} is not valid: ${error.message}`), error.issues);
          }
          throw error;
        }
      }
      const stored = await storeValues(ctx, 
        keyring,
        request.manager,
        request.targets.map((target, i) => ({ address: target.address, payload: values[i]!, remoteName: target.remoteName, remoteMode: target.remoteMode })),
        request.intermediateKey ?? null,
      );
      return { versions: stored.versions.map((version, i) => ({ ...version, facts: facts[i]! })), intermediateKeys: stored.intermediateKeys };
    },

    'secrets.reencrypt': async (request) => {
      const keyring = ctx.requireKeyring();
      for (const item of request.items) {
        if (item.to.secretId !== item.from.address.secretId || item.to.type !== item.from.address.type) {
          throw new DelegateFailure('BAD_REQUEST', 'A version can only be re-encrypted as a version of the same secret.');
        }
      }
      const targetId = request.items[0]!.to.managerId;
      if (request.items.some((item) => item.to.managerId !== targetId)) throw new DelegateFailure('BAD_REQUEST', 'One re-encryption goes to one manager.');
      const values = await openValues(ctx, keyring, request.items.map((item) => item.from), request.managers, request.intermediateKeys);
      const target = request.managers.find((manager) => manager.id === targetId);
      return storeValues(ctx, 
        keyring,
        target,
        request.items.map((item, i) => ({ address: item.to, payload: values[i]!, remoteName: item.remoteName, remoteMode: item.remoteMode })),
        request.intermediateKey ?? null,
      );
    },

    'secrets.reveal': async (request) => {
      const keyring = ctx.requireKeyring();
      const values = await openValues(ctx, keyring, request.items, request.managers, request.intermediateKeys);
      const binding = sealBindings.secretReveal(request.items.map((item) => item.address.secretId));
      try {
        return { sealed: await sealValues(request.recipientPublicKey, binding, values) };
      } catch {
        throw new DelegateFailure('BAD_REQUEST', 'The recipient public key is not a valid X25519 key.');
      }
    },

    'secrets.inspectKey': async (request) => {
      ctx.requireKeyring();
      const opened = keyToInspectSchema.safeParse(await ctx.openSealed(request.sealed, sealBindings.keyInspect()));
      if (!opened.success) throw new DelegateFailure('BAD_REQUEST', 'A key to inspect is sealed as [private key, passphrase].');
      const [privateKey, passphrase] = opened.data;
      try {
        const facts = inspectPrivateKey(privateKey, passphrase === '' ? undefined : passphrase, 'privateKey');
        return { ok: true, keyType: String(facts.keyType), fingerprint: String(facts.fingerprint) } satisfies KeyInspection;
      } catch (error) {
        if (!(error instanceof InvalidSecretError)) throw error;
        const issue = error.issues[0]!;
        return { ok: false, field: issue.path === 'keyPassphrase' ? 'keyPassphrase' : 'privateKey', message: issue.message } satisfies KeyInspection;
      }
    },

    'secrets.checkReference': async (request) => {
      const keyring = ctx.requireKeyring();
      const { provider } = ctx.managers.store(keyring, request.manager);
      const stored = await provider.readReference(request.reference);
      ctx.trackPayload(stored.value);
      return { versionId: stored.versionId.slice(0, 256) };
    },

    'secrets.deleteRemote': async (request) => {
      const keyring = ctx.requireKeyring();
      const { provider, readOnly } = ctx.managers.store(keyring, request.manager);
      if (readOnly) throw new ProviderError('READ_ONLY', 'This manager is read-only: Strongroom cannot delete its remote values.');
      // A migration's source removal counts against its in-flight limit for the manager, like its reads.
      const deletion = await ctx.managers.slots.run(request.manager.id, request.concurrency, () =>
        provider.delete(request.reference, { versions: request.ownVersions, created: request.created }),
      );
      return { removed: deletion.removed, detail: ctx.sanitizer.mask(deletion.detail).slice(0, 2000) };
    },
  } satisfies Partial<DelegateHandlers>;
}

/**
 * For creates, the renderer sealed the values together with their names; main
 * must pair each value with the secret of that name, in order.
 */
function checkTargetsMatchBinding(request: Extract<DelegateRequest, { op: 'secrets.encrypt' }>): void {
  const { purpose, bindings } = request.binding;
  if (purpose === 'secret.create') {
    const names = bindings.names;
    const ok = Array.isArray(names) && names.length === request.targets.length && request.targets.every((t, i) => t.name === names[i] && t.address.version === 1);
    if (!ok) throw new DelegateFailure('SEAL_INVALID', 'The targets do not match the names the values were sealed for.');
  } else if (purpose === 'secret.update') {
    const ok = request.targets.length === 1 && request.targets[0]!.address.secretId === bindings.secretId;
    if (!ok) throw new DelegateFailure('SEAL_INVALID', 'The target does not match the secret the value was sealed for.');
  } else {
    throw new DelegateFailure('SEAL_INVALID', `Values sealed for "${purpose}" cannot be stored as secrets.`);
  }
}
