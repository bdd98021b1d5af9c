import type { ManagerSummary, ProviderTestResult } from '../../../src-shared/contract.js';
import { Dialog } from '../../components/Dialog.js';
import { FormError } from '../../components/FormError.js';
import { KeyVersionsInUse } from './KeyVersionsInUse.js';
import { factRows, humanizeInstants, testVerdict } from './manager-health.js';
import './managers.css';

export interface ManagerTestOutcome {
  result: ProviderTestResult | null;
  error: string | null;
  /** When the answer arrived, for "expires in …". */
  at: number;
}

interface ManagerTestDialogProps {
  /** Its health, as reloaded after the test, lists the KMS key versions still in use. */
  manager: Pick<ManagerSummary, 'name' | 'kind' | 'health'>;
  busy: boolean;
  outcome: ManagerTestOutcome | null;
  onRetest: () => void;
  onClose: () => void;
}

/** The read-only connection test: each check with ✓/✗, the facts (token TTL, renewability, secret-id expiry…) and the warnings. */
export function ManagerTestDialog({ manager, busy, outcome, onRetest, onClose }: ManagerTestDialogProps) {
  const result = outcome?.result ?? null;
  const verdict = result ? testVerdict(result) : null;
  const facts = result ? factRows(result.facts, outcome!.at) : [];
  return (
    <Dialog title={`Test connection: ${manager.name}`} onClose={onClose} size="medium">
      <div className="mgr-test" aria-busy={busy}>
        {busy && (
          <p className="mgr-test__progress" role="status">
            <span className="spinner" aria-hidden="true" /> Testing the connection (read-only; nothing is written)…
          </p>
        )}
        {!busy && <FormError message={outcome?.error} />}
        {!busy && result && verdict && (
          <>
            <p className={`mgr-verdict tinted is-${verdict.tone}`} role="status">
              {verdict.title}
            </p>
            <ol className="mgr-checks" aria-label="Checks">
              {result.checks.map((check, index) => (
                <li key={`${check.name}-${index}`} className={check.ok ? 'is-ok' : 'is-bad'}>
                  <span className="mgr-checks__mark" aria-hidden="true">
                    {check.ok ? '✓' : '✗'}
                  </span>
                  <span className="visually-hidden">{check.ok ? 'Passed: ' : 'Failed: '}</span>
                  <span className="mgr-checks__name">{check.name}</span>
                  <span className="mgr-checks__detail">{humanizeInstants(check.detail, outcome!.at)}</span>
                </li>
              ))}
            </ol>
            {result.warnings.length > 0 && (
              <ul className="mgr-warnings" aria-label="Warnings">
                {result.warnings.map((warning) => (
                  <li key={warning}>{humanizeInstants(warning, outcome!.at)}</li>
                ))}
              </ul>
            )}
            {facts.length > 0 && (
              <dl className="mgr-facts" aria-label="Facts">
                {facts.map((row) => (
                  <div key={row.key} className={row.important ? 'is-important' : undefined}>
                    <dt>{row.label}</dt>
                    <dd className="mono">{row.value}</dd>
                  </div>
                ))}
              </dl>
            )}
            <KeyVersionsInUse manager={manager} versions={manager.health.keyVersions} />
          </>
        )}
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onRetest} disabled={busy} aria-busy={busy}>
            Test again
          </button>
          <button type="button" className="btn btn--primary" onClick={onClose} data-autofocus>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
