import { useState } from 'react';
import { managerKindSpec, type ManagerSummary, type SecretSummary } from '../../src-shared/contract.js';
import { secretFieldSpecs } from '../../src-shared/secret-field-basics.js';
import { useBusyAction } from '../hooks/use-busy-action.js';
import { copiedNotice } from '../lib/clipboard-guard.js';
import { formatDateTime } from '../lib/format.js';
import { shortScope } from '../lib/scope.js';
import { secretTypeBadges, secretTypeLabels, typedDetailRows } from '../lib/secret-types.js';
import { copySecret, deleteSecret, hideSecret, revealSecret, setSecretScope } from '../state/secrets.js';
import { showToast, useCatalog, useSecrets } from '../state/stores.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { FormError } from './FormError.js';
import { HistoryPanel } from './HistoryPanel.js';
import { ScopeEditor } from './ScopeEditor.js';
import { SecretFormDialog } from './SecretFormDialog.js';
import { FileValue, StructuredValue } from './SecretValue.js';
import { ConnectionTestButton } from '../features/connections/index.js';
import { kindLabel } from '../features/managers/index.js';
import { describeError } from '../lib/errors.js';
import './type-badge.css';
import './secret-detail.css';
import './value-box.css';

const MASK = '••••••';

/** What a secret store calls the place a value is kept, from its kind's description. */
function remoteLocationLabel(kind: string | undefined): string {
  return (kind === undefined ? undefined : managerKindSpec(kind)?.remoteNameLabel) ?? 'Remote name';
}

/** The text type's one value: masked, revealed on request, copied with a timed clear. */
function TextValue({ secret }: { secret: SecretSummary }) {
  const revealed = useSecrets((s) => (s.revealed?.id === secret.id ? s.revealed.value : null));
  const { busy, error, run } = useBusyAction<'reveal' | 'copy'>();

  // Busy buttons say so with aria-disabled rather than disabled, which would throw keyboard focus to the page.
  const toggleReveal = () => {
    if (busy === 'reveal') return;
    if (revealed !== null) hideSecret();
    else void run('reveal', () => revealSecret(secret.id));
  };

  const copy = () =>
    busy !== 'copy' &&
    void run('copy', async () => {
      showToast(copiedNotice(await copySecret(secret.id)));
    });

  return (
    <>
      <div className="value-box__row">
        <div
          className={`value-box__value${revealed === null ? ' is-masked' : ''}`}
          role="textbox"
          aria-readonly="true"
          aria-multiline="true"
          aria-label="Secret value"
          tabIndex={0}
        >
          {revealed ?? MASK}
        </div>
        <div className="value-box__actions">
          <button
            type="button"
            className="btn"
            onClick={toggleReveal}
            aria-disabled={busy === 'reveal' || undefined}
            aria-busy={busy === 'reveal'}
            aria-pressed={revealed !== null}
          >
            {busy === 'reveal' ? 'Revealing…' : revealed !== null ? 'Hide' : 'Reveal'}
          </button>
          <button type="button" className="btn btn--primary" onClick={copy} aria-disabled={busy === 'copy' || undefined} aria-busy={busy === 'copy'}>
            {busy === 'copy' ? 'Copying…' : 'Copy'}
          </button>
        </div>
      </div>
      <FormError message={error} />
    </>
  );
}

/** Whether deleting it may remove something in a secret store: its own value there, in a manager Strongroom may write to. */
function removesRemotely(secret: SecretSummary, secretStore: ManagerSummary | undefined): boolean {
  return secretStore !== undefined && !secretStore.readOnly && secret.reference === null;
}

function deleteMessage(secret: SecretSummary, secretStore: ManagerSummary | undefined): string {
  const here = `“${secret.name}” will be deleted from the store, with all its versions. This cannot be undone.`;
  if (!secretStore) return here;
  if (secret.reference !== null) return `${here} The secret it refers to in ${secretStore.name} stays there.`;
  if (secretStore.readOnly) return `${here} ${secretStore.name} is read-only: its remote value stays there.`;
  return `${here} In ${secretStore.name}, Strongroom removes only what it wrote there: whatever others wrote stays.`;
}

export function SecretDetail({ secret }: { secret: SecretSummary }) {
  const revealed = useSecrets((s) => (s.revealed?.id === secret.id ? s.revealed.value : null));
  const managers = useCatalog((s) => s.managers);
  const apps = useCatalog((s) => s.apps);
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const [keepRemote, setKeepRemote] = useState(false);
  const manager = managers.find((candidate) => candidate.id === secret.managerId);
  const secretStore = manager?.role === 'secret-store' ? manager : undefined;
  const remoteLocation = secret.reference ?? secret.remoteLocation;
  const vaultManager = managers.find((candidate) => candidate.id === secret.metadata.vaultManagerId);
  // The signing manager is stored by id; the row shows its name.
  const rows = typedDetailRows(secret.type, secret.metadata, secret.facts).map((row) =>
    row.label === secretFieldSpecs['ssh-vault-certificate'].vaultManagerId.label && vaultManager ? { ...row, value: vaultManager.name } : row,
  );

  return (
    <section className="detail" aria-labelledby="detail-title">
      <header className="detail__header">
        <span className={`type-badge type-badge--large type-badge--${secret.type}`} title={secretTypeLabels[secret.type]} aria-hidden="true">
          {secretTypeBadges[secret.type]}
        </span>
        <div className="detail__heading">
          <h2 id="detail-title" className="detail__title">
            {secret.name}
          </h2>
          {secret.description && <p className="detail__description">{secret.description}</p>}
        </div>
        <div className="detail__actions">
          <ConnectionTestButton secret={secret} />
          <button type="button" className="btn" onClick={() => setDialog('edit')}>
            Edit
          </button>
          <button type="button" className="btn btn--danger-ghost" onClick={() => setDialog('delete')}>
            Delete
          </button>
        </div>
      </header>

      <div className="value-box">
        <div className="value-box__label" aria-hidden="true">
          {secret.type === 'text' ? secretFieldSpecs.text.value.label : secret.type === 'file' ? secretFieldSpecs.file.contentBase64.label : 'Secret fields'}
        </div>
        {secret.type === 'text' && <TextValue secret={secret} />}
        {secret.type === 'file' && <FileValue secretId={secret.id} metadata={secret.metadata} />}
        {secret.type !== 'text' && secret.type !== 'file' && (
          <StructuredValue
            key={secret.version}
            secretId={secret.id}
            type={secret.type}
            metadata={secret.metadata}
            facts={secret.facts}
            revealed={revealed}
            reveal={() => revealSecret(secret.id)}
            onAllHidden={hideSecret}
            canCopy
          />
        )}
      </div>

      <dl className="meta">
        <div>
          <dt>Type</dt>
          <dd>{secretStore ? `${secretTypeLabels[secret.type]}, kept in ${kindLabel(secretStore.kind)}` : secretTypeLabels[secret.type]}</dd>
        </div>
        {remoteLocation && (
          <div>
            <dt>{remoteLocationLabel(secretStore?.kind)}</dt>
            <dd className="meta__value meta__remote">
              <span className="mono">{remoteLocation}</span>
              <button
                type="button"
                className="btn btn--small btn--ghost"
                aria-label={`Copy ${remoteLocationLabel(secretStore?.kind).replace(/^Remote/, 'remote')}`}
                onClick={() =>
                  void navigator.clipboard.writeText(remoteLocation).then(
                    () => showToast('Location copied'),
                    (err: unknown) => showToast(describeError(err)),
                  )
                }
              >
                Copy
              </button>
            </dd>
          </div>
        )}
        <div>
          <dt>Version</dt>
          <dd>{secret.version}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <time dateTime={secret.createdAt}>{formatDateTime(secret.createdAt)}</time>
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <time dateTime={secret.updatedAt}>{formatDateTime(secret.updatedAt)}</time>
          </dd>
        </div>
        <div>
          <dt>Secret manager</dt>
          <dd>{manager?.name ?? secret.managerId}</dd>
        </div>
        <div>
          <dt>Usage scope</dt>
          <dd>{shortScope(secret.scope, apps)}</dd>
        </div>
        {rows.map(({ label, value }) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="meta__value">{value}</dd>
          </div>
        ))}
      </dl>

      <section aria-labelledby="scope-title">
        <h3 id="scope-title" className="section-title">
          Usage scope
        </h3>
        <ScopeEditor
          key={JSON.stringify(secret.scope)}
          scope={secret.scope}
          owner="this secret"
          onSave={async (scope) => {
            await setSecretScope(secret.id, scope);
            showToast('Scope saved');
          }}
        />
      </section>

      <HistoryPanel secret={secret} />

      {dialog === 'edit' && <SecretFormDialog secret={secret} onClose={() => setDialog(null)} onSaved={() => showToast('Changes saved')} />}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete secret?"
          message={deleteMessage(secret, secretStore)}
          confirmLabel="Delete"
          busyLabel="Deleting…"
          onConfirm={async () => {
            await deleteSecret(secret.id, removesRemotely(secret, secretStore) && keepRemote);
            showToast(`Deleted ${secret.name}`);
          }}
          onClose={() => {
            setDialog(null);
            setKeepRemote(false);
          }}
          // The deleted secret's details, Delete button included, are gone: the list it was chosen from takes focus.
          focusWhenOpenerGone={() => document.querySelector<HTMLElement>('[role="listbox"][aria-label="Secrets"]')}
        >
          {removesRemotely(secret, secretStore) && (
            <label className="choice">
              <input type="checkbox" checked={keepRemote} onChange={(e) => setKeepRemote(e.target.checked)} />
              Keep the remote secret in {secretStore!.name}
            </label>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
