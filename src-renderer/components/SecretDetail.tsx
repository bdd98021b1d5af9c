import { useState } from 'react';
import type { SecretSummary } from '../../src-main/ipc/contract.js';
import { CLIPBOARD_CLEAR_MS } from '../lib/clipboard-guard.js';
import { describeError } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { detailRows, secretTypeLabels } from '../lib/secret-types.js';
import { copySecret, deleteSecret, hideSecret, revealSecret } from '../state/secrets.js';
import { showToast, useSecrets } from '../state/stores.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { SecretFormDialog } from './SecretFormDialog.js';

const MASK = '••••••';

type Busy = 'reveal' | 'copy' | null;

export function SecretDetail({ secret }: { secret: SecretSummary }) {
  const revealed = useSecrets((s) => (s.revealed?.id === secret.id ? s.revealed.value : null));
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);

  const run = async (kind: Exclude<Busy, null>, action: () => Promise<void>) => {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  const toggleReveal = () => {
    if (revealed !== null) hideSecret();
    else void run('reveal', () => revealSecret(secret.id));
  };

  const copy = () =>
    void run('copy', async () => {
      await copySecret(secret.id);
      showToast(`Copied. Clipboard clears in ${CLIPBOARD_CLEAR_MS / 1000} s`);
    });

  return (
    <section className="detail" aria-labelledby="detail-title">
      <header className="detail__header">
        <div className="detail__heading">
          <h2 id="detail-title" className="detail__title">
            {secret.name}
          </h2>
          {secret.description && <p className="detail__description">{secret.description}</p>}
        </div>
        <div className="detail__actions">
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
          Value
        </div>
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
              disabled={busy === 'reveal'}
              aria-busy={busy === 'reveal'}
              aria-pressed={revealed !== null}
            >
              {busy === 'reveal' ? 'Revealing…' : revealed !== null ? 'Hide' : 'Reveal'}
            </button>
            <button type="button" className="btn btn--primary" onClick={copy} disabled={busy === 'copy'} aria-busy={busy === 'copy'}>
              {busy === 'copy' ? 'Copying…' : 'Copy'}
            </button>
          </div>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>

      <dl className="meta">
        <div>
          <dt>Type</dt>
          <dd>{secretTypeLabels[secret.type]}</dd>
        </div>
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
          <dd>{secret.managerId}</dd>
        </div>
        {detailRows(secret.metadata, secret.facts).map(({ label, value }) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="meta__value">{value}</dd>
          </div>
        ))}
      </dl>

      {dialog === 'edit' && <SecretFormDialog secret={secret} onClose={() => setDialog(null)} onSaved={() => showToast('Changes saved')} />}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete secret?"
          message={`“${secret.name}” will be deleted from the store. This cannot be undone.`}
          confirmLabel="Delete"
          busyLabel="Deleting…"
          onConfirm={async () => {
            await deleteSecret(secret.id);
            showToast(`Deleted ${secret.name}`);
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </section>
  );
}
