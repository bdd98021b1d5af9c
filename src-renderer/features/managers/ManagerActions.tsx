import { useState } from 'react';
import type { ManagerSummary } from '../../../src-shared/contract.js';
import { useIntent } from '../../hooks/use-intent.js';
import { useSubscription } from '../../hooks/use-subscription.js';
import { ManagerFormDialog } from './ManagerFormDialog.js';
import { followManagerChanges } from './managers-api.js';
import './managers.css';

/** Reloads the catalog's managers whenever main announces 'managers.changed'. */
export function useManagerChanges(): void {
  useSubscription(followManagerChanges);
}

interface ManagerActionsProps {
  onAdded?: (manager: ManagerSummary) => void;
}

/** The "Add manager" button and its dialog (kind picker, per-kind form, Fetch for Vault mounts and Azure vaults). */
export function ManagerActions({ onAdded }: ManagerActionsProps) {
  const [adding, setAdding] = useState(false);
  useIntent('add-manager', () => setAdding(true));
  useManagerChanges();
  return (
    <>
      <button type="button" className="btn btn--primary" onClick={() => setAdding(true)}>
        Add manager
      </button>
      <span className="dialog-host">{adding && <ManagerFormDialog onClose={() => setAdding(false)} onSaved={onAdded} />}</span>
    </>
  );
}
