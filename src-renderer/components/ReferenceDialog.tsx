import { useState, type FormEvent } from 'react';
import { kindLabels, managerKindSpec, secretNameSchema, type SecretSummary } from '../../src-shared/contract.js';
import { call } from '../api/call.js';
import { describeError } from '../lib/errors.js';
import { dispatchSecrets, useCatalog } from '../state/stores.js';
import { refreshList } from '../state/secrets.js';
import { Dialog } from './Dialog.js';
import { DialogActions, DismissAction } from './DialogActions.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';

/** How a store names an existing secret, from its kind's description; null for kinds that take no references. */
function referenceHint(kind: string): string | null {
  return managerKindSpec(kind)?.reference?.hint ?? null;
}

/**
 * A secret that points at a value already kept in a secret store. The store
 * is read once to check the reference; the value is never copied here, and
 * deleting the reference leaves the remote secret alone.
 */
export function ReferenceDialog({
  onClose,
  onSaved,
  initial,
}: {
  onClose: () => void;
  onSaved: (secret: SecretSummary) => void;
  /** Where a create found the name taken remotely: the name and the store to reference it in. */
  initial?: { name: string; managerId: string };
}) {
  const stores = useCatalog((s) => s.managers).filter((manager) => referenceHint(manager.kind) !== null);
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState('');
  const [managerId, setManagerId] = useState(stores.find((store) => store.id === initial?.managerId)?.id ?? stores[0]?.id ?? '');
  const [reference, setReference] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const kind = stores.find((manager) => manager.id === managerId)?.kind ?? '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = secretNameSchema.safeParse(name.trim());
    if (!checked.success) return setError(checked.error.issues[0]?.message ?? 'Invalid name');
    if (!reference.trim()) return setError('Give the reference of the existing secret');
    setBusy(true);
    setError(null);
    try {
      const created = await call('secrets.createReference', {
        name: checked.data,
        ...(description.trim() ? { description: description.trim() } : {}),
        managerId,
        reference: reference.trim(),
      });
      dispatchSecrets({ type: 'select', secret: created });
      refreshList();
      onSaved(created);
      onClose();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Reference an existing secret" onClose={onClose} size="medium">
      {stores.length === 0 ? (
        <>
          <p>References point at secrets in {kindLabels((spec) => spec.role === 'secret-store')}. Add one of those under Managers first.</p>
          <DismissAction label="Close" onClose={onClose} />
        </>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)} noValidate>
          <Field id="reference-name" label="Name">
            {(control) => <input {...control} className="input input--mono" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} data-autofocus />}
          </Field>
          <Field id="reference-description" label="Description" optional>
            {(control) => <input {...control} className="input" value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />}
          </Field>
          <Field id="reference-manager" label="Secret store">
            {(control) => (
              <select {...control} className="input" value={managerId} onChange={(e) => setManagerId(e.target.value)}>
                {stores.map((manager) => (
                  <option key={manager.id} value={manager.id}>
                    {manager.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="reference-path" label="Reference" hint={`${referenceHint(kind)}. It is read once now to check it; the value stays in the store.`}>
            {(control) => <input {...control} className="input input--mono" value={reference} onChange={(e) => setReference(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
          <FormError message={error} />
          <DialogActions onCancel={onClose} label="Add reference" busyLabel="Checking…" busy={busy} />
        </form>
      )}
    </Dialog>
  );
}
