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
import { FormError } from './FormError.js';
import { FileValue, StructuredValue } from './SecretValue.js';
import { TableHead } from './TableHead.js';
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

  return (
    <section className="history" aria-labelledby="history-title">
      <h3 id="history-title" className="section-title">
        History
      </h3>
      <FormError message={current?.error} />
      <div className="table-wrap">
        <table className="table" aria-label="Versions" aria-busy={!current}>
          <TableHead columns={['Version', 'Time', 'By', factsColumn(secret)]} actionsLabel="Actions" />
          <tbody>
            {items.map((version) => (
              <tr key={version.version}>
                <td className="num">
                  v{version.version}
                  {typeof version.facts.restoresVersion === 'number' && `: rollback of v${version.facts.restoresVersion}`}
                  {version.current && <span className="pill pill--sealed pill--inline">Current</span>}
                </td>
                <td>
                  <time dateTime={version.createdAt}>{formatDateTime(version.createdAt)}</time>
                </td>
                <td>{auditActorLabel(version.createdBy)}</td>
                <td className="mono history__facts">{factsText(version.facts)}</td>
                <td className="history__actions">
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
