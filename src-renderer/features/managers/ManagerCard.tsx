import { useId } from 'react';
import type { ManagerSummary } from '../../../src-shared/contract.js';
import { ManagerHealth } from './ManagerHealth.js';
import { ManagerRowActions } from './ManagerRowActions.js';
import { configSummary, managerRoleLabels } from '../../../src-shared/contract.js';
import { kindLabel } from './manager-fields.js';
import './managers.css';

interface ManagerCardProps {
  manager: ManagerSummary;
}

/** One manager: kind and role, default and read-only marks, what it points at, its health and its actions. */
export function ManagerCard({ manager }: ManagerCardProps) {
  const titleId = useId();
  const summary = configSummary(manager.kind, manager.publicConfig);
  return (
    <article className="mgr-card" aria-labelledby={titleId}>
      <header className="mgr-card__head">
        <div className="mgr-card__heading">
          <h3 id={titleId} className="mgr-card__title">
            {manager.name}
          </h3>
          <p className="mgr-card__kind">
            {kindLabel(manager.kind)} · {managerRoleLabels[manager.role]} · {manager.secretCount.toLocaleString('en')} {manager.secretCount === 1 ? 'secret' : 'secrets'}
          </p>
        </div>
        <span className="mgr-card__marks">
          {manager.isDefault && <span className="pill mgr-pill tinted is-ok">Default</span>}
          {manager.readOnly && <span className="pill mgr-pill tinted is-unknown">Read-only</span>}
        </span>
      </header>
      {summary && <p className="mgr-card__config mono">{summary}</p>}
      <ManagerHealth manager={manager} />
      <ManagerRowActions manager={manager} />
    </article>
  );
}
