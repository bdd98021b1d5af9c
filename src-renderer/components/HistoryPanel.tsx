import { useEffect, useState } from 'react';
import type { SecretSummary, SecretVersion } from '../../src-shared/contract.js';
import { call } from '../api/call.js';
import { auditActorLabel } from '../lib/audit.js';
import { describeError } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { formatBytes } from '../lib/typed-secret.js';
import { fetchValue, rollbackSecret } from '../state/secrets.js';
import { showToast } from '../state/stores.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { DataTable, type DataColumn } from './DataTable.js';
import { FormError } from './FormError.js';
import { FileValue, StructuredValue } from './SecretValue.js';
import './value-box.css';
import './history-panel.css';

interface Loaded {
  /** The secret version this list was read at, so a stale list is never shown as current. */
  at: string;
  items?: SecretVersion[];
  error?: string;
}

/** What the last column holds for this type: a file's size, a key's type and fingerprint. */
function factsColumn(secret: SecretSummary): string {
  if (secret.type === 'file') return 'Size';
  if (secret.type === 'ssh-vault-certificate' || (secret.type === 'ssh' && secret.metadata.auth !== 'password')) return 'Key fingerprint';
  return 'Details';
}

function factsText(facts: Record<string, string | number>): string {
  const parts: string[] = [];
  if (facts.keyType) parts.push(String(facts.keyType));
  if (facts.fingerprint) parts.push(String(facts.fingerprint));
  if (typeof facts.size === 'number') parts.push(formatBytes(facts.size));
  return parts.join(' · ') || '—';
}

/** Every kept version: when, by whom, the key it held; reveal an old one, or roll back to it. */
export function HistoryPanel({ secret }: { secret: SecretSummary }) {
  const at = `${secret.id}:${secret.version}:${secret.updatedAt}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [open, setOpen] = useState<{ version: number; value: string | null } | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call('secrets.versions', { id: secret.id })
      .then(({ items }) => live && setLoaded({ at, items }))
      .catch((err: unknown) => live && setLoaded({ at, error: describeError(err) }));
    return () => {
      live = false;
    };
  }, [at, secret.id]);

  const current = loaded?.at === at ? loaded : null;
  const items = current?.items ?? loaded?.items ?? [];

  const revealVersion = async (version: number) => {
    setError(null);
    if (open?.version === version) {
      setOpen(null);
      return;
    }
    if (secret.type !== 'text') {
      setOpen({ version, value: null });
      return;
    }
    try {
      setOpen({ version, value: await fetchValue(secret.id, 'reveal', version) });
    } catch (err) {
      setError(describeError(err));
    }
  };

  const columns: DataColumn<SecretVersion>[] = [
    {
      header: 'Version',
      numeric: true,
      cell: (version) => (
        <>
          v{version.version}
          {typeof version.facts.restoresVersion === 'number' && `: rollback of v${version.facts.restoresVersion}`}
          {version.current && <span className="pill pill--sealed pill--inline">Current</span>}
        </>
      ),
    },
    { header: 'Time', cell: (version) => <time dateTime={version.createdAt}>{formatDateTime(version.createdAt)}</time> },
    { header: 'By', cell: (version) => auditActorLabel(version.createdBy) },
    { header: factsColumn(secret), mono: true, className: 'history__facts', cell: (version) => factsText(version.facts) },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'history__actions',
      cell: (version) => (
        <>
          <button
            type="button"
            className="btn btn--small"
            aria-label={`${open?.version === version.version ? 'Hide' : 'View'} version ${version.version}`}
            aria-expanded={open?.version === version.version}
            onClick={() => void revealVersion(version.version)}
          >
            {open?.version === version.version ? 'Hide' : 'View'}
          </button>
          <button
            type="button"
            className="btn btn--small"
            aria-label={`Roll back to version ${version.version}`}
            disabled={version.current}
            onClick={() => setConfirm(version.version)}
          >
            Roll back
          </button>
        </>
      ),
    },
  ];

  return (
    <section className="history" aria-labelledby="history-title">
      <h3 id="history-title" className="section-title">
        History
      </h3>
      <FormError message={current?.error} />
      <DataTable
        label="Versions"
        columns={columns}
        rows={items}
        rowKey={(version) => version.version}
        emptyMessage="No versions to show."
        busy={!current}
      />
      <FormError message={error} />
      {open && (
        <div className="value-box" aria-label={`Version ${open.version}`} role="region">
          <div className="value-box__label">Version {open.version}</div>
          {secret.type === 'text' ? (
            <div className="value-box__value" role="textbox" aria-readonly="true" aria-multiline="true" aria-label={`Value of version ${open.version}`} tabIndex={0}>
              {open.value}
            </div>
          ) : secret.type === 'file' ? (
            <FileValue secretId={secret.id} metadata={secret.metadata} version={open.version} label={`Download version ${open.version}`} />
          ) : (
            <StructuredValue
              secretId={secret.id}
              type={secret.type}
              metadata={secret.metadata}
              facts={items.find((item) => item.version === open.version)?.facts ?? {}}
              revealed={open.value}
              reveal={async () => {
                const value = await fetchValue(secret.id, 'reveal', open.version);
                setOpen((o) => (o && o.version === open.version ? { ...o, value } : o));
              }}
              onAllHidden={() => setOpen((o) => (o ? { ...o, value: null } : o))}
              canCopy={false}
              labelPrefix={`Version ${open.version} `}
            />
          )}
        </div>
      )}
      {confirm !== null && (
        <ConfirmDialog
          title={`Roll back to version ${confirm}?`}
          message={`This creates version ${secret.version + 1} with the value of version ${confirm}. Every version stays in the history.`}
          confirmLabel="Roll back"
          busyLabel="Rolling back…"
          onConfirm={async () => {
            await rollbackSecret(secret.id, confirm);
            setOpen(null);
            showToast(`Rolled back to version ${confirm}`);
          }}
          onClose={() => setConfirm(null)}
        />
      )}
    </section>
  );
}
