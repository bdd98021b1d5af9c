import { useState, type FormEvent } from 'react';
import { entityNameSchema, environmentTypes, type Application, type Environment, type EnvironmentType, type ScopeRemovalReport } from '../../src-shared/contract.js';
import { describeError, isIpcError } from '../lib/errors.js';
import { describeRemovalReport, environmentTypeLabels } from '../lib/scope.js';
import {
  createApplication,
  createEnvironment,
  deleteApplication,
  deleteEnvironment,
  renameApplication,
  updateEnvironment,
} from '../state/catalog.js';
import { showToast, useCatalog } from '../state/stores.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Dialog } from './Dialog.js';
import { DialogActions, DismissAction } from './DialogActions.js';
import { Field } from './Field.js';
import { Panel } from './Panel.js';
import './applications-view.css';

function nameError(name: string): string | null {
  const parsed = entityNameSchema.safeParse(name.trim());
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Invalid name');
}

/** Errors from main, worded for applications and environments rather than secrets. */
function catalogError(err: unknown): string {
  if (isIpcError(err, 'NAME_TAKEN', 'NOT_FOUND', 'SCOPE_CONFLICT')) return err.message;
  return describeError(err);
}

/** A name typed for an application or environment: checked before it is saved, with main's refusal shown in its place. */
function useNameForm(initial: string) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent, save: (trimmed: string) => Promise<void>) => {
    event.preventDefault();
    const problem = nameError(name);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await save(name.trim());
    } catch (err) {
      setError(catalogError(err));
    } finally {
      setBusy(false);
    }
  };

  return { name, setName, error, setError, busy, submit };
}

type Pending =
  | { kind: 'rename-app'; app: Application }
  | { kind: 'edit-env'; app: Application; env: Environment }
  | { kind: 'delete-app'; app: Application }
  | { kind: 'delete-env'; app: Application; env: Environment }
  | { kind: 'report'; title: string; report: ScopeRemovalReport; focusAfter: () => HTMLElement | null };

/** A name (and for an environment, its type) in a small dialog. */
function NameDialog(props: { title: string; label: string; initial: string; type?: EnvironmentType; onSave: (name: string, type?: EnvironmentType) => Promise<void>; onClose: () => void }) {
  const { title, label, initial, onSave, onClose } = props;
  const { name, setName, error, busy, submit } = useNameForm(initial);
  const [type, setType] = useState(props.type);
  const save = async (trimmed: string) => {
    await onSave(trimmed, type);
    onClose();
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e, save)} noValidate>
        <Field id="entity-name" label={label} error={error} announceError>
          {(control) => <input {...control} className="input" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" data-autofocus />}
        </Field>
        {type && (
          <Field id="entity-type" label="Environment type">
            {(control) => (
              <select {...control} className="input" value={type} onChange={(e) => setType(e.target.value as EnvironmentType)}>
                {environmentTypes.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {environmentTypeLabels[candidate]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <DialogActions onCancel={onClose} label="Save" busyLabel="Saving…" busy={busy} />
      </form>
    </Dialog>
  );
}

function NewEnvironmentForm({ app }: { app: Application }) {
  const { name, setName, error, setError, busy, submit } = useNameForm('');
  const [type, setType] = useState<EnvironmentType>('non-production');
  const errorId = `new-env-${app.id}-error`;
  const create = async (trimmed: string) => {
    await createEnvironment(app.id, trimmed, type);
    setName('');
    showToast(`Added ${trimmed} to ${app.name}`);
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e, create)} noValidate>
      <input
        className="input"
        placeholder="New environment"
        aria-label={`New environment name for ${app.name}`}
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setError(null);
        }}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      <select className="input input--auto" aria-label={`Type of the new environment of ${app.name}`} value={type} onChange={(e) => setType(e.target.value as EnvironmentType)}>
        {environmentTypes.map((candidate) => (
          <option key={candidate} value={candidate}>
            {environmentTypeLabels[candidate]}
          </option>
        ))}
      </select>
      <button type="submit" className="btn" disabled={busy} aria-label={`Add environment to ${app.name}`}>
        Add environment
      </button>
      {error && (
        <p className="field__error inline-form__error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

export function ApplicationsView() {
  const apps = useCatalog((s) => s.apps);
  const loaded = useCatalog((s) => s.loaded);
  const { name, setName, error, setError, busy, submit } = useNameForm('');
  const [pending, setPending] = useState<Pending | null>(null);

  const create = async (trimmed: string) => {
    const app = await createApplication(trimmed);
    setName('');
    showToast(`Added application ${app.name}`);
  };

  const close = () => setPending(null);
  // A deletion's report replaces its question before the question closes itself: closing must keep the report.
  const closeQuestion = () => setPending((p) => (p?.kind === 'report' ? p : null));
  // The report closes after its Delete button went with what it deleted: focus goes to focusAfter instead.
  const deleteThenReport = (remove: () => Promise<ScopeRemovalReport>, title: string, focusAfter: () => HTMLElement | null) => async () => {
    setPending({ kind: 'report', title, report: await remove(), focusAfter });
  };

  return (
    <Panel
      titleId="apps-title"
      title="Applications & environments"
      subtitle="Usage scopes name these. Each environment is Production or Non-Production."
      className="panel--medium"
    >

      <form className="inline-form" onSubmit={(e) => void submit(e, create)} noValidate>
        <label htmlFor="new-app-name" className="visually-hidden">
          Application name
        </label>
        <input
          id="new-app-name"
          className="input"
          placeholder="New application"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'new-app-error' : undefined}
        />
        <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
          Add application
        </button>
        {error && (
          <p className="field__error inline-form__error" id="new-app-error" role="alert">
            {error}
          </p>
        )}
      </form>

      {loaded && apps.length === 0 && (
        <div className="empty">
          <p>No applications yet. Add one, then its environments, to scope secrets to them.</p>
        </div>
      )}

      {apps.map((app) => (
        <section key={app.id} className="card" aria-label={`Application ${app.name}`}>
          <header className="card__header">
            <h3 className="card__title">{app.name}</h3>
            <span className="card__meta">
              {app.environments.length} {app.environments.length === 1 ? 'environment' : 'environments'}
            </span>
            <div className="panel__actions">
              <button type="button" className="btn btn--small" aria-label={`Rename application ${app.name}`} onClick={() => setPending({ kind: 'rename-app', app })}>
                Rename
              </button>
              <button
                type="button"
                className="btn btn--small btn--danger-ghost"
                aria-label={`Delete application ${app.name}`}
                onClick={() => setPending({ kind: 'delete-app', app })}
              >
                Delete
              </button>
            </div>
          </header>
          {app.environments.length > 0 && (
            <ul className="env-list" aria-label={`Environments of ${app.name}`}>
              {app.environments.map((env) => (
                <li key={env.id} className="env-list__item">
                  <span className="env-list__name">{env.name}</span>
                  <span className={`pill ${env.type === 'production' ? 'pill--prod' : 'pill--nonprod'}`}>{environmentTypeLabels[env.type]}</span>
                  <span className="env-list__actions">
                    <button
                      type="button"
                      className="btn btn--small btn--ghost"
                      aria-label={`Edit environment ${env.name} of ${app.name}`}
                      onClick={() => setPending({ kind: 'edit-env', app, env })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn--small btn--danger-ghost"
                      aria-label={`Delete environment ${env.name} of ${app.name}`}
                      onClick={() => setPending({ kind: 'delete-env', app, env })}
                    >
                      Delete
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <NewEnvironmentForm app={app} />
        </section>
      ))}

      {pending?.kind === 'rename-app' && (
        <NameDialog
          title={`Rename ${pending.app.name}`}
          label="Application name"
          initial={pending.app.name}
          onSave={async (newName) => {
            await renameApplication(pending.app.id, newName);
            showToast(`Renamed to ${newName}`);
          }}
          onClose={close}
        />
      )}
      {pending?.kind === 'edit-env' && (
        <NameDialog
          title={`Edit ${pending.env.name} (${pending.app.name})`}
          label="Environment name"
          initial={pending.env.name}
          type={pending.env.type}
          onSave={async (newName, type) => {
            await updateEnvironment(pending.env.id, {
              ...(newName !== pending.env.name ? { name: newName } : {}),
              ...(type && type !== pending.env.type ? { type } : {}),
            });
            showToast('Environment saved');
          }}
          onClose={close}
        />
      )}
      {pending?.kind === 'delete-app' && (
        <ConfirmDialog
          title={`Delete application ${pending.app.name}?`}
          message={`“${pending.app.name}” and its ${pending.app.environments.length} environment(s) will be deleted. Secrets whose usage scope names them lose those entries; a secret left with no entries becomes usable by no application until you edit its scope. No secret becomes more widely usable.`}
          confirmLabel="Delete application"
          busyLabel="Deleting…"
          onConfirm={deleteThenReport(
            () => deleteApplication(pending.app.id),
            `Deleted application ${pending.app.name}`,
            () => document.getElementById('new-app-name'),
          )}
          onClose={closeQuestion}
        />
      )}
      {pending?.kind === 'delete-env' && (
        <ConfirmDialog
          title={`Delete environment ${pending.env.name}?`}
          message={`“${pending.env.name}” of ${pending.app.name} will be deleted. Secrets whose usage scope names it lose that entry; a secret left with no entries becomes usable by no application until you edit its scope. No secret becomes more widely usable.`}
          confirmLabel="Delete environment"
          busyLabel="Deleting…"
          onConfirm={deleteThenReport(
            () => deleteEnvironment(pending.env.id),
            `Deleted environment ${pending.env.name}`,
            () => document.querySelector<HTMLElement>(`[aria-label="Rename application ${CSS.escape(pending.app.name)}"]`),
          )}
          onClose={closeQuestion}
        />
      )}
      {pending?.kind === 'report' && (
        <Dialog title={pending.title} onClose={close} focusWhenOpenerGone={pending.focusAfter}>
          <div className="dialog__body report">
            {describeRemovalReport(pending.report).map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>
          <DismissAction label="OK" onClose={close} />
        </Dialog>
      )}
    </Panel>
  );
}
