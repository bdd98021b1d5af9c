import { useState } from 'react';
import type { SecretType } from '../../src-shared/contract.js';
import { useBusyAction } from '../hooks/use-busy-action.js';
import { copiedNotice } from '../lib/clipboard-guard.js';
import { payloadField, secretFieldsOf } from '../lib/secret-types.js';
import { base64ToBytes, formatBytes } from '../lib/typed-secret.js';
import { saveFile } from '../state/files.js';
import { copySecret, fetchValue } from '../state/secrets.js';
import { showToast } from '../state/stores.js';
import { FormError } from './FormError.js';
import './value-box.css';
import './secret-value.css';

const MASK = '••••••';

interface StructuredValueProps {
  secretId: string;
  type: SecretType;
  metadata: Record<string, unknown>;
  /** What the delegate learnt from this version (whether its key has a passphrase). */
  facts: Record<string, unknown>;
  /** The revealed payload JSON, or null while hidden. */
  revealed: string | null;
  /** Fetches the payload (once) so fields can be shown. */
  reveal: () => Promise<void>;
  /** Every field hidden again: the payload may be dropped. */
  onAllHidden: () => void;
  /** Copying is offered for the current version only. */
  canCopy: boolean;
  labelPrefix?: string;
}

/** The secret fields of a structured secret, each masked with its own reveal toggle. */
export function StructuredValue({ secretId, type, metadata, facts, revealed, reveal, onAllHidden, canCopy, labelPrefix = '' }: StructuredValueProps) {
  const fields = secretFieldsOf(type, metadata, facts);
  const [shown, setShown] = useState<ReadonlySet<string>>(new Set());
  const { busy, error, run } = useBusyAction<string>();

  if (fields.length === 0) {
    return (
      <p className="field__hint">
        {facts.keyPassphrase === 'none'
          ? 'No secret fields: the key file is on this machine and has no passphrase.'
          : 'No secret fields: this secret names a keytab or ticket cache on this machine.'}
      </p>
    );
  }

  const toggle = (key: string) => {
    if (shown.has(key)) {
      const next = new Set(shown);
      next.delete(key);
      setShown(next);
      if (next.size === 0) onAllHidden();
      return;
    }
    void run(`show:${key}`, async () => {
      if (revealed === null) await reveal();
      setShown((current) => new Set(current).add(key));
    });
  };

  return (
    <div className="secret-fields">
      {fields.map(({ key, label, multiline }) => {
        const visible = shown.has(key) && revealed !== null;
        const value = visible ? payloadField(revealed, key) : null;
        return (
          <div className="secret-field" key={key}>
            <div className="secret-field__label" id={`${labelPrefix}field-${key}-label`}>
              {label}
            </div>
            <div className="value-box__row">
              <div
                className={`value-box__value${value === null ? ' is-masked' : ''}${multiline ? '' : ' value-box__value--single'}`}
                role="textbox"
                aria-readonly="true"
                aria-multiline={multiline}
                aria-label={`${labelPrefix}${label}`}
                tabIndex={0}
              >
                {value === null ? MASK : value === '' ? <span className="field__optional">(none)</span> : value}
              </div>
              <div className="value-box__actions">
                <button
                  type="button"
                  className="btn btn--small"
                  onClick={() => toggle(key)}
                  disabled={busy === `show:${key}`}
                  aria-pressed={visible}
                  aria-label={`${visible ? 'Hide' : 'Show'} ${labelPrefix}${label.toLowerCase()}`}
                >
                  {busy === `show:${key}` ? 'Revealing…' : visible ? 'Hide' : 'Show'}
                </button>
                {canCopy && (
                  <button
                    type="button"
                    className="btn btn--small"
                    aria-label={`Copy ${label.toLowerCase()}`}
                    disabled={busy === `copy:${key}`}
                    onClick={() =>
                      void run(`copy:${key}`, async () => {
                        showToast(copiedNotice(await copySecret(secretId, (payload) => payloadField(payload, key))));
                      })
                    }
                  >
                    Copy
                  </button>
                )}
              </div>
            </div>
          </div>
        );
      })}
      <FormError message={error} />
    </div>
  );
}

/** Decrypts a file secret (a version of it) and lets the user choose where to save it. */
export async function downloadFile(secretId: string, metadata: Record<string, unknown>, version?: number): Promise<boolean> {
  const payload = await fetchValue(secretId, 'download', version);
  const bytes = base64ToBytes(payloadField(payload, 'contentBase64'));
  const fileName = typeof metadata.fileName === 'string' ? metadata.fileName : 'download.bin';
  const mediaType = typeof metadata.mediaType === 'string' ? metadata.mediaType : 'application/octet-stream';
  return saveFile(fileName, new Blob([bytes], { type: mediaType }));
}

export function FileValue({ secretId, metadata, version, label = 'Download' }: { secretId: string; metadata: Record<string, unknown>; version?: number; label?: string }) {
  const { busy, error, run } = useBusyAction<'download'>();
  const downloading = busy === 'download';
  const size = typeof metadata.size === 'number' ? formatBytes(metadata.size) : '';
  const download = () =>
    run('download', async () => {
      if (await downloadFile(secretId, metadata, version)) showToast(`Saved ${String(metadata.fileName ?? 'the file')}`);
    });
  return (
    <div className="file-value">
      <div className="value-box__row">
        <div className="file-value__name">
          <span className="mono">{String(metadata.fileName ?? '')}</span>
          <span className="field__hint">
            {size}
            {metadata.mediaType ? ` · ${String(metadata.mediaType)}` : ''}
          </span>
        </div>
        <button type="button" className="btn btn--primary" onClick={() => void download()} disabled={downloading} aria-busy={downloading}>
          {downloading ? 'Decrypting…' : label}
        </button>
      </div>
      <FormError message={error} />
    </div>
  );
}
