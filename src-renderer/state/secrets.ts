/** Secrets actions: the paged list, creating, revealing, copying, editing, versions, scopes and deleting. */
import {
  sealBindings,
  sealValues,
  createSealRecipient,
  type SecretSummary,
  type SecretType,
  type UsageScope,
} from '../../src-shared/contract.js';
import { call } from '../api/call.js';
import { getApi } from '../api/connection.js';
import { describeError } from '../lib/errors.js';
import {
  LIST_PAGE_SIZE,
  SEARCH_DEBOUNCE_MS,
  createDebouncer,
  filtersActive,
  listRequest,
  pagesToFetch,
  sameFilters,
  type ListFilters,
} from '../lib/secret-list.js';
import type { SecretChanges, SecretFormValues } from '../lib/secret-form.js';
import { clipboardGuard } from './clipboard.js';
import { noteIndexReady, noteListReply } from './search-index.js';
import { delegateKey } from './session.js';
import { dispatchList, dispatchSecrets, useSecretList, useSession } from './stores.js';

/** The rows the list shows now, so a refresh refetches those. */
let visible = { start: 0, end: LIST_PAGE_SIZE };

async function fetchPage(generation: number, page: number): Promise<void> {
  const state = useSecretList.getState();
  dispatchList({ type: 'page-requested', generation, page });
  try {
    const result = await call('secrets.list', { ...listRequest(state.filters), offset: page * LIST_PAGE_SIZE, limit: LIST_PAGE_SIZE });
    dispatchList({ type: 'page-loaded', generation, page, total: result.total, items: result.items });
    noteListReply(result.indexing === true, result.total, !filtersActive(state.filters));
  } catch (err) {
    dispatchList({ type: 'page-failed', generation, page, error: describeError(err) });
  }
}

/** Asks for the pages of rows [start, end) that are not cached for the current query. */
export function ensureRows(start: number, end: number): void {
  visible = { start, end };
  const state = useSecretList.getState();
  for (const page of pagesToFetch(state, start, end)) void fetchPage(state.generation, page);
}

/** Reloads what is visible, keeping the rows on screen until the new ones arrive. */
export function refreshList(): void {
  dispatchList({ type: 'refresh' });
  ensureRows(visible.start, visible.end);
}

/** A new query: the list starts from the top. */
export function setListFilters(changes: Partial<ListFilters>): void {
  const current = useSecretList.getState();
  const filters = { ...current.filters, ...changes };
  if (current.loaded && sameFilters(filters, current.filters)) return;
  dispatchList({ type: 'filters', filters });
  visible = { start: 0, end: LIST_PAGE_SIZE };
  ensureRows(0, LIST_PAGE_SIZE);
}

const searchDebouncer = createDebouncer(SEARCH_DEBOUNCE_MS);

/** Keystrokes in the search box: sent once typing pauses. */
export function searchSecrets(query: string): void {
  searchDebouncer.call(() => setListFilters({ query }));
}

/** Keeps the list current while a view shows it; returns the unsubscribe. */
export function followSecretChanges(): () => void {
  let stop: (() => void) | null = null;
  let cancelled = false;
  void getApi().then((api) => {
    if (cancelled) return;
    stop = api.onEvent((event) => {
      if (event.type === 'secrets.changed') refreshList();
      if (event.type === 'secrets.indexed') noteIndexReady();
    });
  });
  return () => {
    cancelled = true;
    searchDebouncer.cancel();
    stop?.();
  };
}

export function selectSecret(secret: SecretSummary | null): void {
  dispatchSecrets({ type: 'select', secret });
}

/** Asks the delegate for a value, sealed to a key pair that lives only for this one request. */
export async function fetchValue(id: string, purpose: 'reveal' | 'copy' | 'download', version?: number): Promise<string> {
  const recipient = await createSealRecipient();
  const { sealed } = await call('secrets.reveal', { id, recipientPublicKey: recipient.publicKey, purpose, ...(version === undefined ? {} : { version }) });
  const [value] = await recipient.open(sealed, sealBindings.secretReveal([id]));
  if (value === undefined) throw new Error('The store sent back no value.');
  return value;
}

export async function revealSecret(id: string): Promise<void> {
  const value = await fetchValue(id, 'reveal');
  dispatchSecrets({ type: 'revealed', id, value });
}

export function hideSecret(): void {
  dispatchSecrets({ type: 'hide' });
}

/**
 * Copies the value, or with `pick` one field of a structured value, to be
 * cleared after the delay in Settings; returns that delay in seconds (null: never).
 */
export async function copySecret(id: string, pick?: (value: string) => string): Promise<number | null> {
  const value = await fetchValue(id, 'copy');
  const clearAfterSeconds = useSession.getState().status?.settings.clipboardClearSeconds ?? null;
  await clipboardGuard.copy(pick ? pick(value) : value, clearAfterSeconds === null ? null : clearAfterSeconds * 1000);
  return clearAfterSeconds;
}

function afterSave(secret: SecretSummary, valueChanged: boolean): SecretSummary {
  dispatchSecrets({ type: 'saved', secret, valueChanged });
  dispatchList({ type: 'patch', secret });
  refreshList();
  return secret;
}

export interface NewSecret {
  name: string;
  description: string;
  type: SecretType;
  metadata: Record<string, unknown>;
  /** What gets sealed: a text value as is, or a structured type's payload JSON. */
  payload: string;
}

/** `managerId` undefined: the default manager. */
/**
 * `adopt`: the user confirmed taking over a remote secret of that name that Strongroom did not write (a new
 * version goes on top of it); without it such a create fails with REMOTE_EXISTS.
 */
export async function createSecret(values: SecretFormValues | NewSecret, managerId?: string, adopt = false): Promise<SecretSummary> {
  const name = values.name.trim();
  const typed = 'type' in values ? values : { ...values, type: 'text' as const, metadata: {}, payload: values.value };
  const sealedValue = await sealValues(await delegateKey(), sealBindings.secretCreate([name]), [typed.payload]);
  const description = values.description.trim() === '' ? undefined : values.description;
  const created = await call('secrets.create', {
    name,
    ...(description === undefined ? {} : { description }),
    ...(typed.type === 'text' ? {} : { type: typed.type, metadata: typed.metadata }),
    ...(managerId === undefined ? {} : { managerId }),
    ...(adopt ? { adopt } : {}),
    sealedValue,
  });
  dispatchSecrets({ type: 'select', secret: created });
  refreshList();
  return created;
}

/** A structured edit: new metadata and payload together, or neither. */
export interface TypedChanges {
  name?: string;
  description?: string | null;
  value?: { metadata: Record<string, unknown>; payload: string };
}

export async function updateSecret(id: string, changes: SecretChanges | TypedChanges): Promise<SecretSummary> {
  let payload: string | undefined;
  let metadata: Record<string, unknown> | undefined;
  if (typeof changes.value === 'string') payload = changes.value === '' ? undefined : changes.value;
  else if (changes.value) ({ payload, metadata } = changes.value);
  const sealedValue = payload === undefined ? undefined : await sealValues(await delegateKey(), sealBindings.secretUpdate(id), [payload]);
  const saved = await call('secrets.update', {
    id,
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.description === undefined ? {} : { description: changes.description }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(sealedValue === undefined ? {} : { sealedValue }),
  });
  return afterSave(saved, sealedValue !== undefined);
}

/** `keepRemote`: in a secret store, remove only the entry here and leave every remote version where it is. */
export async function deleteSecret(id: string, keepRemote = false): Promise<void> {
  await call('secrets.delete', { id, ...(keepRemote ? { keepRemote } : {}) });
  dispatchSecrets({ type: 'deleted', id });
  refreshList();
}

export async function rollbackSecret(id: string, toVersion: number): Promise<SecretSummary> {
  return afterSave(await call('secrets.rollback', { id, toVersion }), true);
}

export async function setSecretScope(id: string, scope: UsageScope): Promise<SecretSummary> {
  return afterSave(await call('secrets.setScope', { id, scope }), false);
}
