/**
 * The zustand stores. They hold state and nothing else: every change goes
 * through a pure reducer in lib/, so the transitions are tested there.
 */
import { create } from 'zustand';
import type { Application, ManagerSummary } from '../../src-shared/contract.js';
import { initialListState, listReducer, type ListAction, type ListState } from '../lib/secret-list.js';
import { initialSecretsState, secretsReducer, type SecretsAction, type SecretsState } from '../lib/secrets-state.js';
import { initialSessionState, sessionReducer, type SessionAction, type SessionState } from '../lib/session-state.js';

export const useSession = create<SessionState>()(() => initialSessionState);
export const useSecrets = create<SecretsState>()(() => initialSecretsState);
export const useSecretList = create<ListState>()(() => initialListState);

/** Applications with their environments, and secret managers: what filters and scope editors offer. */
export interface CatalogState {
  apps: Application[];
  managers: ManagerSummary[];
  loaded: boolean;
}
export const useCatalog = create<CatalogState>()(() => ({ apps: [], managers: [], loaded: false }));

export interface Toast {
  id: number;
  text: string;
}
export const useToasts = create<{ toasts: Toast[] }>()(() => ({ toasts: [] }));

export function dispatchSession(action: SessionAction): void {
  useSession.setState((state) => sessionReducer(state, action), true);
}

export function dispatchSecrets(action: SecretsAction): void {
  useSecrets.setState((state) => secretsReducer(state, action), true);
}

export function dispatchList(action: ListAction): void {
  useSecretList.setState((state) => listReducer(state, action), true);
}

const TOAST_MS = 4_000;
let nextToastId = 1;

export function showToast(text: string): void {
  const id = nextToastId++;
  useToasts.setState(({ toasts }) => ({ toasts: [...toasts, { id, text }] }));
  setTimeout(() => dismissToast(id), TOAST_MS);
}

export function dismissToast(id: number): void {
  useToasts.setState(({ toasts }) => ({ toasts: toasts.filter((t) => t.id !== id) }));
}
