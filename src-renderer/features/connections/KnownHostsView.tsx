import { useEffect, useState } from 'react';
import type { KnownHost } from '../../../src-shared/contract.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import { FormError } from '../../components/FormError.js';
import { LoadingStatus } from '../../components/LoadingStatus.js';
import { describeError } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { showToast } from '../../state/stores.js';
import { listKnownHosts, removeKnownHost } from './connections-api.js';
import './connections.css';

type Loaded = { version: number; hosts: KnownHost[] | null; error: string | null };

/**
 * The Settings section listing the SSH host keys trusted so far (host, port, key type, SHA256 fingerprint).
 * Removing one makes the next test ask again: the way to accept an expected key change.
 */
export function KnownHostsView() {
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded>({ version: -1, hosts: null, error: null });
  const [removing, setRemoving] = useState<KnownHost | null>(null);

  useEffect(() => {
    let cancelled = false;
    listKnownHosts().then(
      (hosts) => {
        if (!cancelled) setLoaded({ version, hosts, error: null });
      },
      (err: unknown) => {
        if (!cancelled) setLoaded((current) => ({ version, hosts: current.hosts, error: describeError(err) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [version]);

  const remove = async (host: KnownHost) => {
    await removeKnownHost(host);
    showToast(`Removed the ${host.keyType} key of ${host.host}:${host.port}`);
    // Dropped here rather than reloaded, so its row (the dialog's opener) is gone when the dialog closes and Refresh can take focus.
    setLoaded((current) => ({ ...current, hosts: current.hosts?.filter((other) => other !== host) ?? null }));
  };

  const loading = loaded.version !== version;
  const columns: DataColumn<KnownHost>[] = [
    { header: 'Host', mono: true, cell: (host) => host.host },
    { header: 'Port', numeric: true, cell: (host) => host.port },
    { header: 'Key type', mono: true, cell: (host) => host.keyType },
    { header: 'Fingerprint', mono: true, className: 'conn-fingerprint-cell', cell: (host) => host.fingerprint },
    { header: 'Trusted', cell: (host) => <time dateTime={host.addedAt}>{formatDateTime(host.addedAt)}</time> },
    {
      header: 'Actions',
      headerHidden: true,
      cell: (host) => (
        <button
          type="button"
          className="btn btn--small btn--danger-ghost"
          onClick={() => setRemoving(host)}
          aria-label={`Remove the ${host.keyType} key of ${host.host}:${host.port}`}
        >
          Remove
        </button>
      ),
    },
  ];
  return (
    <section className="settings-section" aria-labelledby="known-hosts-title">
      <div className="settings-section__header">
        <h3 id="known-hosts-title" className="section-title">
          Known hosts
        </h3>
        <button type="button" className="btn btn--small" onClick={() => setVersion((v) => v + 1)} disabled={loading} aria-busy={loading} aria-label="Refresh known hosts">
          Refresh
        </button>
      </div>
      <p className="field__hint">SSH host keys trusted after a connection test. A host whose key no longer matches is refused until its old key is removed here.</p>
      <FormError message={loaded.error} />
      {loaded.hosts === null ? (
        !loaded.error && (
          <LoadingStatus>Loading…</LoadingStatus>
        )
      ) : (
        <DataTable
          label="Known hosts"
          columns={columns}
          rows={loaded.hosts}
          rowKey={(host) => `${host.host}:${host.port}:${host.keyType}`}
          emptyMessage="No host keys trusted yet. Test an SSH credential and trust the key it shows."
          busy={loading}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove the key of ${removing.host}:${removing.port}?`}
          message={`The next connection test to ${removing.host}:${removing.port} will show the server’s key again and ask before trusting it. Stored: ${removing.keyType} ${removing.fingerprint}.`}
          confirmLabel="Remove key"
          busyLabel="Removing…"
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
          focusWhenOpenerGone={() => document.querySelector<HTMLElement>('[aria-label="Refresh known hosts"]')}
        />
      )}
    </section>
  );
}
