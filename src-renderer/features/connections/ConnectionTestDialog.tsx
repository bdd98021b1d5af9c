import { useEffect, useId, useReducer, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Application, SecretSummary } from '../../../src-shared/contract.js';
import { Dialog } from '../../components/Dialog.js';
import { Field } from '../../components/Field.js';
import { FormError } from '../../components/FormError.js';
import { useNow } from '../../hooks/use-now.js';
import { useSubscription } from '../../hooks/use-subscription.js';
import { describeError, isIpcError } from '../../lib/errors.js';
import { showToast } from '../../state/stores.js';
import { DetailList, StageLog } from './StageLog.js';
import { ConnectionHistory } from './ConnectionHistory.js';
import {
  applicationOptions,
  checkTestForm,
  defaultPort,
  environmentOptions,
  idleRun,
  logLines,
  runReducer,
  type ConsumerOption,
  type TestFormErrors,
  type TestFormValues,
  type TestableType,
} from './connection-form.js';
import { canTrustHostKey, detailRows, expectedStages, formatDuration, hintFor, hostKeyOf, verdictOf } from './connection-report.js';
import { followStages, listApplications, runConnectionTest, trustHostKey } from './connections-api.js';
import './connections.css';

interface ConnectionTestDialogProps {
  secret: SecretSummary & { type: TestableType };
  onClose: () => void;
  /** The host to start with, e.g. the last one tested. */
  initialHost?: string;
  /** Told the host of each test started, so the opener can offer it next time. */
  onHostUsed?: (host: string) => void;
}

type Tab = 'test' | 'history';

interface ConsumerSelectProps {
  id: string;
  label: string;
  value: string;
  onChange: (id: string) => void;
  disabled: boolean;
  invalid: boolean;
  /** The first choice, which picks nothing. */
  emptyLabel: string;
  options: ConsumerOption[];
}

/** An application or environment to run the test as; those outside the secret's scope stay choosable, marked, to show the refusal. */
function ConsumerSelect({ id, label, value, onChange, disabled, invalid, emptyLabel, options }: ConsumerSelectProps) {
  return (
    <Field id={id} label={label}>
      {(control) => (
        // The group's error, under both selects, says what is wrong; each select is marked invalid with it.
        <select {...control} className="input" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} aria-invalid={invalid || undefined}>
          <option value="">{emptyLabel}</option>
          {options.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
              {option.inScope ? '' : ' (not in scope)'}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * Tests a credential against a host: a live staged log while it runs, the
 * verdict with a hint for its error, the accept-host-key prompt, and the
 * history of past tests. Enter runs the test; Esc closes.
 */
export function ConnectionTestDialog({ secret, onClose, initialHost = '', onHostUsed }: ConnectionTestDialogProps) {
  const ids = useId();
  const [tab, setTab] = useState<Tab>('test');
  const [values, setValues] = useState<TestFormValues>({ host: initialHost, port: '', applicationId: '', environmentId: '' });
  const [submitted, setSubmitted] = useState(false);
  const [run, dispatch] = useReducer(runReducer, idleRun);
  const [startedAt, setStartedAt] = useState(0);
  const [apps, setApps] = useState<Application[] | null>(null);
  const [appsError, setAppsError] = useState<string | null>(null);
  const [trusting, setTrusting] = useState(false);
  const [trustError, setTrustError] = useState<string | null>(null);
  const [historyVersion, setHistoryVersion] = useState(0);
  const running = run.phase === 'running';
  const now = useNow(running);

  const denied = run.phase === 'error' && run.code === 'SCOPE_DENIED';
  const showConsumer = secret.scope.scoped || denied || values.applicationId !== '';
  const check = checkTestForm(values, secret.scope, apps ?? []);
  const errors: TestFormErrors = submitted ? check.errors : {};

  useSubscription(() => followStages((testId, stage) => dispatch({ type: 'stage', testId, stage })));

  useEffect(() => {
    if (!showConsumer || apps !== null) return;
    let cancelled = false;
    listApplications().then(
      (items) => {
        if (!cancelled) setApps(items);
      },
      (err: unknown) => {
        if (!cancelled) setAppsError(describeError(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [showConsumer, apps]);

  const start = async () => {
    if (running) return;
    setSubmitted(true);
    const { parts, errors: found } = checkTestForm(values, secret.scope, apps ?? []);
    if (!parts) {
      const first = found.host ? `${ids}-host` : found.port ? `${ids}-port` : `${ids}-app`;
      document.getElementById(first)?.focus();
      return;
    }
    setTrustError(null);
    onHostUsed?.(parts.host);
    const testId = crypto.randomUUID();
    setStartedAt(Date.now());
    dispatch({ type: 'start', testId, host: parts.host, port: parts.port ?? defaultPort(secret) });
    try {
      const result = await runConnectionTest({ testId, secretId: secret.id, ...parts });
      dispatch({ type: 'result', testId, report: result.report, hostKeyTrusted: result.hostKeyTrusted });
    } catch (err) {
      dispatch({ type: 'error', testId, message: describeError(err), code: isIpcError(err) ? err.code : null });
    } finally {
      setHistoryVersion((v) => v + 1);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start();
  };

  // Enter runs the test from the selects too, which do not submit a form by themselves.
  const onFormKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Enter' && event.target instanceof HTMLSelectElement && !event.nativeEvent.isComposing) {
      event.preventDefault();
      event.currentTarget.requestSubmit();
    }
  };

  const trustAndRetry = async () => {
    if (run.phase !== 'done') return;
    setTrusting(true);
    setTrustError(null);
    try {
      const known = await trustHostKey(run.testId);
      showToast(`Trusted the ${known.keyType} key of ${known.host}:${known.port}`);
      setTrusting(false);
      await start();
    } catch (err) {
      setTrustError(describeError(err));
      setTrusting(false);
    }
  };

  const update = (patch: Partial<TestFormValues>) => setValues((current) => ({ ...current, ...patch }));

  const selectedApp = apps?.find((app) => app.id === values.applicationId);
  const appOptions = applicationOptions(secret.scope, apps ?? []);
  const envOptions = environmentOptions(secret.scope, selectedApp);
  const lines = logLines(run, expectedStages(secret.type, secret.metadata.useSsl === true));
  const report = run.phase === 'done' ? run.report : null;
  const verdict = report ? verdictOf(report) : null;
  const hostKey = report && (report.error?.code === 'HOST_KEY_UNKNOWN' || report.error?.code === 'HOST_KEY_CHANGED') ? hostKeyOf(report) : null;
  const errorDetails = report?.error?.details ? detailRows(report.error.details) : [];
  const finished = run.phase === 'done' || run.phase === 'error';

  const onTabKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    event.preventDefault();
    const next: Tab = tab === 'test' ? 'history' : 'test';
    setTab(next);
    document.getElementById(`${ids}-tab-${next}`)?.focus();
  };

  const consumerError = errors.consumer && (
    <p className="field__error" id={`${ids}-consumer-error`}>
      {errors.consumer}
    </p>
  );

  return (
    <Dialog title={`Test connection: ${secret.name}`} onClose={onClose} size="medium">
      <div className="conn-test">
        <div className="conn-tabs" role="tablist" aria-label="Connection test">
          {(['test', 'history'] as const).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              id={`${ids}-tab-${name}`}
              className="conn-tabs__tab"
              aria-selected={tab === name}
              aria-controls={`${ids}-panel-${name}`}
              tabIndex={tab === name ? 0 : -1}
              onClick={() => setTab(name)}
              onKeyDown={onTabKeyDown}
            >
              {name === 'test' ? 'Test' : 'History'}
            </button>
          ))}
        </div>

        <div role="tabpanel" id={`${ids}-panel-test`} aria-labelledby={`${ids}-tab-test`} hidden={tab !== 'test'} className="conn-panel">
          <form className="form" onSubmit={submit} onKeyDown={onFormKeyDown} noValidate aria-label="Test target">
            <div className="conn-target">
              <Field id={`${ids}-host`} label="Host" error={errors.host} className="conn-target__host">
                {(control) => (
                  <input
                    {...control}
                    className="input input--mono"
                    value={values.host}
                    onChange={(e) => update({ host: e.target.value })}
                    placeholder="server.example.com or 10.0.0.5"
                    autoComplete="off"
                    spellCheck={false}
                    maxLength={255}
                    data-autofocus
                  />
                )}
              </Field>
              <Field id={`${ids}-port`} label="Port" hint={`${defaultPort(secret)} when empty`} error={errors.port} className="conn-target__port">
                {(control) => (
                  <input
                    {...control}
                    className="input input--mono"
                    inputMode="numeric"
                    value={values.port}
                    onChange={(e) => update({ port: e.target.value })}
                    placeholder={String(defaultPort(secret))}
                    autoComplete="off"
                  />
                )}
              </Field>
            </div>
            {showConsumer && (
              <fieldset className="conn-consumer" aria-describedby={`${ids}-consumer-hint${errors.consumer ? ` ${ids}-consumer-error` : ''}`}>
                <legend className="field__label">Run as</legend>
                <div className="conn-target">
                  <ConsumerSelect
                    id={`${ids}-app`}
                    label="Application"
                    value={values.applicationId}
                    onChange={(applicationId) => update({ applicationId, environmentId: '' })}
                    disabled={apps === null}
                    invalid={Boolean(errors.consumer)}
                    emptyLabel={secret.scope.scopeToAccount || !secret.scope.scoped ? 'None (outside applications)' : 'Choose…'}
                    options={appOptions}
                  />
                  <ConsumerSelect
                    id={`${ids}-env`}
                    label="Environment"
                    value={values.environmentId}
                    onChange={(environmentId) => update({ environmentId })}
                    disabled={!selectedApp}
                    invalid={Boolean(errors.consumer)}
                    emptyLabel="Choose…"
                    options={envOptions}
                  />
                </div>
                <p className="field__hint" id={`${ids}-consumer-hint`}>
                  {appsError ?? 'The test runs as this consumer and goes through the usage-scope check, as a real use would.'}
                </p>
                {consumerError}
              </fieldset>
            )}
            <div className="conn-run">
              <button type="submit" className="btn btn--primary" disabled={running || trusting} aria-busy={running}>
                {running ? 'Testing…' : finished ? 'Run again' : 'Run test'}
              </button>
              {running && (
                <span className="conn-run__progress" role="status">
                  <span className="spinner" aria-hidden="true" /> Testing {run.host}:{run.port}… {formatDuration(Math.max(0, now - startedAt))}
                </span>
              )}
              {!running && !finished && <span className="field__hint">Read-only: logs in and runs whoami, nothing else. Enter runs it.</span>}
            </div>
          </form>

          <StageLog lines={lines} kind={secret.type} live />

          {run.phase === 'error' && (
            <div className="conn-verdict tinted is-bad" role="alert">
              <p className="conn-verdict__title">{run.code === 'SCOPE_DENIED' ? 'Refused by the usage scope' : 'The test could not run'}</p>
              <p>{run.message}</p>
              {run.code && hintFor(run.code) && <p className="conn-verdict__hint">{hintFor(run.code)}</p>}
            </div>
          )}

          {verdict && report && (
            <div className={`conn-verdict tinted ${verdict.ok ? 'is-ok' : 'is-bad'}`} role={verdict.ok ? 'status' : 'alert'}>
              <p className="conn-verdict__title">{verdict.title}</p>
              {verdict.message && <p>{verdict.message}</p>}
              {errorDetails.length > 0 && <DetailList rows={errorDetails} label="Error details" />}
              {verdict.hint && <p className="conn-verdict__hint">{verdict.hint}</p>}
              {run.phase === 'done' && run.hostKeyTrusted && <p>The host key was trusted and stored.</p>}
            </div>
          )}

          {report && hostKey && canTrustHostKey(report) && (
            <section className="conn-hostkey" aria-labelledby={`${ids}-hostkey-title`}>
              <h3 id={`${ids}-hostkey-title`} className="conn-hostkey__title">
                Trust this host key?
              </h3>
              <p>
                {report.host}:{report.port} presented a key never seen before. Trust it only if this fingerprint matches the one the server’s administrator gives you.
              </p>
              <dl className="conn-details">
                <div className="conn-details__row">
                  <dt>Key type</dt>
                  <dd className="mono">{hostKey.keyType}</dd>
                </div>
                <div className="conn-details__row">
                  <dt>Fingerprint</dt>
                  <dd className="mono conn-hostkey__fingerprint">{hostKey.fingerprint}</dd>
                </div>
              </dl>
              <FormError message={trustError} />
              <div className="dialog__actions">
                <button type="button" className="btn btn--primary" onClick={() => void trustAndRetry()} disabled={trusting || running} aria-busy={trusting}>
                  {trusting ? 'Trusting…' : 'Trust this key and retry'}
                </button>
              </div>
            </section>
          )}

          {report && hostKey && report.error?.code === 'HOST_KEY_CHANGED' && (
            <section className="conn-hostkey is-changed" aria-labelledby={`${ids}-hostkey-title`}>
              <h3 id={`${ids}-hostkey-title`} className="conn-hostkey__title">
                Host key changed: not trusted
              </h3>
              <dl className="conn-details">
                <div className="conn-details__row is-alert">
                  <dt>Presented now ({hostKey.keyType})</dt>
                  <dd className="mono conn-hostkey__fingerprint">{hostKey.fingerprint}</dd>
                </div>
                <div className="conn-details__row">
                  <dt>Stored{hostKey.knownKeyTypes.length ? ` (${hostKey.knownKeyTypes.join(', ')})` : ''}</dt>
                  <dd className="mono conn-hostkey__fingerprint">{hostKey.knownFingerprints.join('\n') || 'unknown'}</dd>
                </div>
              </dl>
              <p className="field__hint">A changed key cannot be trusted from here. If the change is expected, remove the stored key under Known hosts and test again.</p>
            </section>
          )}
        </div>

        <div role="tabpanel" id={`${ids}-panel-history`} aria-labelledby={`${ids}-tab-history`} hidden={tab !== 'history'} className="conn-panel">
          {tab === 'history' && <ConnectionHistory secretId={secret.id} kind={secret.type} refreshKey={historyVersion} />}
        </div>

        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
