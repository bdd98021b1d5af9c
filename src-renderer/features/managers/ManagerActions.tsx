import { useEffect, useState } from 'react';
import type { ManagerSummary } from '../../../src-main/ipc/contract.js';
import { ManagerFormDialog } from './ManagerFormDialog.js';
import { followManagerChanges } from './managers-api.js';
import './managers.css';

/** Reloads the catalog's managers whenever main announces 'managers.changed'. */
export function useManagerChanges(): void {
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void followManagerChanges()
      .then((unsubscribe) => {
        if (cancelled) unsubscribe();
        else stop = unsubscribe;
      })
      .catch(() => {});
    return () => {
      cancelled = true;
      stop?.();
    };
  }, []);
}

interface ManagerActionsProps {
  onAdded?: (manager: ManagerSummary) => void;
}

/** The "Add manager" button and its dialog (kind picker, per-kind form, Fetch for Vault mounts and Azure vaults). */
export function ManagerActions({ onAdded }: ManagerActionsProps) {
  const [adding, setAdding] = useState(false);
  useManagerChanges();
  return (
    <>
      <button type="button" className="btn btn--primary" onClick={() => setAdding(true)}>
        Add manager
      </button>
      <span className="mgr-dialog-host">{adding && <ManagerFormDialog onClose={() => setAdding(false)} onSaved={onAdded} />}</span>
    </>
  );
}
