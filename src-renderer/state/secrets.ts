/** Secrets actions: listing, creating, revealing, copying, editing and deleting. */
import {
  sealBindings,
  sealValues,
  createSealRecipient,
  type SecretSummary,
} from '../../src-main/ipc/contract.js';
import { call } from '../api/call.js';
import { getApi } from '../api/connection.js';
import { describeError } from '../lib/errors.js';
import { nextSeq, pageRequest, type ListMode } from '../lib/secrets-state.js';
import type { SecretChanges, SecretFormValues } from '../lib/secret-form.js';
import { clipboardGuard } from './clipboard.js';
import { delegateKey } from './session.js';
import { dispatchSecrets, useSecrets } from './stores.js';

export async function reloadSecrets(mode: ListMode): Promise<void> {
  const state = useSecrets.getState();
  const seq = nextSeq(state);
  const page = pageRequest(state, mode);
  dispatchSecrets({ type: 'list-requested', seq });
  try {
    const result = await call('secrets.list', { query: state.query.trim(), ...page });
    dispatchSecrets({ type: 'list-loaded', seq, mode, total: result.total, items: result.items });
  } catch (err) {
    dispatchSecrets({ type: 'list-failed', seq, error: describeError(err) });
  }
}

export function searchSecrets(query: string): Promise<void> {
  dispatchSecrets({ type: 'query', query });
  return reloadSecrets('replace');
}

/** Keeps the list current while a view shows it; returns the unsubscribe. */
export function followSecretChanges(): () => void {
  let stop: (() => void) | null = null;
  let cancelled = false;
  void getApi().then((api) => {
    if (cancelled) return;
    stop = api.onEvent((event) => {
      if (event.type === 'secrets.changed') void reloadSecrets('refresh');
    });
  });
  return () => {
    cancelled = true;
    stop?.();
  };
}

export function selectSecret(secret: SecretSummary | null): void {
  dispatchSecrets({ type: 'select', secret });
}

/** Asks the delegate for the value, sealed to a key pair that lives only for this one request. */
async function fetchValue(id: string, purpose: 'reveal' | 'copy'): Promise<string> {
  const recipient = await createSealRecipient();
  const { sealed } = await call('secrets.reveal', { id, recipientPublicKey: recipient.publicKey, purpose });
  const [value] = await recipient.open(sealed, sealBindings.secretReveal([id]));
  if (value === undefined) throw new Error('The vault sent back no value.');
  return value;
}

export async function revealSecret(id: string): Promise<void> {
  const value = await fetchValue(id, 'reveal');
  dispatchSecrets({ type: 'revealed', id, value });
}

export function hideSecret(): void {
  dispatchSecrets({ type: 'hide' });
}

export async function copySecret(id: string): Promise<void> {
  await clipboardGuard.copy(await fetchValue(id, 'copy'));
}

export async function createSecret(values: SecretFormValues): Promise<SecretSummary> {
  const name = values.name.trim();
  const sealedValue = await sealValues(await delegateKey(), sealBindings.secretCreate([name]), [values.value]);
  const description = values.description.trim() === '' ? undefined : values.description;
  const created = await call('secrets.create', { name, ...(description === undefined ? {} : { description }), sealedValue });
  dispatchSecrets({ type: 'select', secret: created });
  void reloadSecrets('refresh');
  return created;
}

export async function updateSecret(id: string, changes: SecretChanges): Promise<SecretSummary> {
  const sealedValue =
    changes.value === '' ? undefined : await sealValues(await delegateKey(), sealBindings.secretUpdate(id), [changes.value]);
  const saved = await call('secrets.update', {
    id,
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.description === undefined ? {} : { description: changes.description }),
    ...(sealedValue === undefined ? {} : { sealedValue }),
  });
  dispatchSecrets({ type: 'saved', secret: saved, valueChanged: sealedValue !== undefined });
  void reloadSecrets('refresh');
  return saved;
}

export async function deleteSecret(id: string): Promise<void> {
  await call('secrets.delete', { id });
  dispatchSecrets({ type: 'deleted', id });
  void reloadSecrets('refresh');
}
