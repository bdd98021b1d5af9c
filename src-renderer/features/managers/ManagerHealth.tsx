import { isBuiltIn, kindCan, type ManagerSummary } from '../../../src-shared/contract.js';
import { formatDateTime } from '../../lib/format.js';
import { ManagerKeyWork } from '../key-work/index.js';
import { healthView } from './manager-health.js';
import './managers.css';

interface ManagerHealthProps {
  manager: Pick<ManagerSummary, 'id' | 'name' | 'kind' | 'health'>;
  /** One pill for a table cell, the details in its tooltip; otherwise the pill, last check, warnings and renewal. */
  compact?: boolean;
}

/** A manager's last connection test and, for Vault, its token renewal loop. */
export function ManagerHealth({ manager, compact = false }: ManagerHealthProps) {
  const view = healthView(manager.health, manager.kind);
  // Kinds whose key rotates into versions show their re-wrap's state here: running, interrupted, or how it ended.
  const rewraps = kindCan(manager.kind, (spec) => spec.rewrapsKeys !== null);
  const lastCheck = view.lastCheckAt ? `Last checked ${formatDateTime(view.lastCheckAt)}` : kindCan(manager.kind, isBuiltIn) ? null : 'Never tested';
  const pill = (
    <span className={`pill mgr-pill tinted is-${view.tone}`} title={compact ? [lastCheck, view.summary, ...view.warnings, view.renewal?.text].filter(Boolean).join('\n') : undefined}>
      {view.label}
    </span>
  );
  if (compact) {
    return (
      <span className="mgr-health mgr-health--compact" aria-label={`Health of ${manager.name}: ${view.label}${view.warnings.length ? `, ${view.warnings.length} warnings` : ''}`}>
        {pill}
        {view.warnings.length > 0 && <span className="mgr-health__count">{view.warnings.length} ⚠</span>}
        {rewraps && <ManagerKeyWork manager={manager} />}
      </span>
    );
  }
  return (
    <section className="mgr-health" aria-label={`Health of ${manager.name}`}>
      <div className="mgr-health__head">
        {pill}
        {lastCheck && <span className="mgr-health__when">{lastCheck}</span>}
      </div>
      {view.summary && <p className="mgr-health__summary">{view.summary}</p>}
      {view.warnings.length > 0 && (
        <ul className="mgr-warnings" aria-label="Warnings">
          {view.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {view.renewal && <p className={`mgr-health__renewal is-${view.renewal.tone}`}>{view.renewal.text}</p>}
      {rewraps && <ManagerKeyWork manager={manager} />}
    </section>
  );
}
