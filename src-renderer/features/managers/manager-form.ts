/**
 * The manager form's pure logic: field values → configuration JSON, checked
 * with the kind's own configuration schema before anything is sealed, the partial configuration that
 * managers.fetchOptions takes, the values an edit starts from, and main's
 * refusals put under the fields they concern.
 */
import { entityNameSchema, managerKindSpecs, type IpcError, type ManagerOptions, type ManagerSummary } from '../../../src-shared/contract.js';
import { managerConfigSchema } from '../../../src-shared/manager-configs/index.js';
import { optionChoices } from '../../../src-shared/manager-options.js';
import { IpcCallError, describeError } from '../../lib/errors.js';
import {
  isRequired,
  managerFields,
  visibleManagerFields,
  initialManagerValues,
  type ExternalKind,
  type ManagerFieldDef,
  type ManagerFormValues,
} from './manager-fields.js';

/** Errors by field key; `name` is the manager's name and `form` anything that belongs to no field. */
export type ManagerFormErrors = Record<string, string>;

export function hasFormErrors(errors: ManagerFormErrors): boolean {
  return Object.values(errors).some(Boolean);
}

export function validateManagerName(name: string): string | null {
  const parsed = entityNameSchema.safeParse(name.trim());
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Invalid name');
}

/**
 * What the form itself checks in one field before the kind's schema sees the
 * configuration: a required field left empty, and text that cannot become the
 * field's JSON value (a number, a JSON key file). Every rule about what a
 * valid value is belongs to the schema (`schemaIssues`). Empty optional fields are fine.
 */
export function checkField(field: ManagerFieldDef, values: ManagerFormValues): string | null {
  if (field.type === 'checkbox') return null;
  // Secrets are taken as typed: a leading space may be part of a password.
  const raw = values[field.key];
  const text = typeof raw === 'string' ? (field.secret ? raw : raw.trim()) : '';
  if (text === '' || (field.secret && text.trim() === '')) return isRequired(field, values) ? `${field.label} is required` : null;
  if (field.valueType === 'number' && (!Number.isFinite(Number(text)) || !/^-?\d+(\.\d+)?$/.test(text))) return `${field.label} must be a number`;
  if (field.valueType === 'json' && !parsesAsJson(text)) return `${field.label}: paste the file as downloaded (it does not parse as JSON).`;
  return null;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts.at(-1)!] = value;
}

function getPath(source: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(source, path)) return source[path];
  let node: unknown = source;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function jsonValue(field: ManagerFieldDef, values: ManagerFormValues): unknown {
  const raw = values[field.key];
  if (field.type === 'checkbox') return raw === true;
  const text = typeof raw === 'string' ? (field.secret ? raw : raw.trim()) : '';
  if (field.valueType === 'number') return Number(text.trim());
  if (field.valueType === 'json') return JSON.parse(text) as unknown;
  return text;
}

function isEmpty(field: ManagerFieldDef, values: ManagerFormValues): boolean {
  if (field.type === 'checkbox') return false;
  const raw = values[field.key];
  return typeof raw !== 'string' || raw.trim() === '';
}

export interface BuiltConfig {
  config: Record<string, unknown>;
  errors: ManagerFormErrors;
}

function collect(kind: ExternalKind, values: ManagerFormValues, fields: ManagerFieldDef[]): BuiltConfig {
  const errors: ManagerFormErrors = {};
  const config: Record<string, unknown> = {};
  for (const field of fields) {
    const problem = checkField(field, values);
    if (problem) {
      errors[field.key] = problem;
      continue;
    }
    if (field.key.startsWith('$') || isEmpty(field, values)) continue;
    setPath(config, field.key, jsonValue(field, values));
  }
  return { config, errors };
}

/**
 * The kind's configuration schema, the one the delegate's provider parses
 * with, run on what the form built: each issue goes under the field its path
 * names, unless the form's own check already put one there. Issues of fields
 * not among `fields` (hidden, or not part of a partial configuration) are
 * left to those fields; an issue that names no field goes to `form`.
 */
function addSchemaIssues(kind: ExternalKind, built: BuiltConfig, fields: readonly ManagerFieldDef[], unplaced: 'form' | 'drop'): void {
  const parsed = managerConfigSchema(kind)?.safeParse(built.config);
  if (!parsed || parsed.success) return;
  for (const issue of parsed.error.issues) {
    const field = fieldForIssue(kind, issue.path.map(String).join('.'));
    if (field !== null && field !== 'name') {
      if (fields.some((shown) => shown.key === field)) built.errors[field] ??= issue.message;
    } else if (unplaced === 'form') built.errors.form ??= issue.message;
  }
}

/**
 * The whole configuration JSON for managers.add/update, secret fields
 * included: visible fields only, empty optional ones left out so the
 * provider's defaults apply. `readOnly` goes into the configuration of a
 * kind that `supportsReadOnly` (Vault, whose capability check depends on
 * it); the other kinds' schemas are strict and have no such field.
 */
export function buildManagerConfig(kind: ExternalKind, values: ManagerFormValues, readOnly: boolean): BuiltConfig {
  const fields = visibleManagerFields(kind, values);
  const built = collect(kind, values, fields);
  if (managerKindSpecs[kind].supportsReadOnly) built.config.readOnly = readOnly;
  addSchemaIssues(kind, built, fields, 'form');
  return built;
}

/** Whether the kind's form can fetch lists before the manager exists. */
export function isFetchable(kind: ExternalKind): boolean {
  return managerKindSpecs[kind].fetchesOptions !== null;
}

/**
 * The partial configuration managers.fetchOptions needs: Vault's URL,
 * namespace, auth and CA; Azure's sign-in fields and subscription. Only the
 * connection fields are sent (the delegate's connection schemas are strict).
 */
export function buildFetchConfig(kind: ExternalKind, values: ManagerFormValues): BuiltConfig {
  const fields = visibleManagerFields(kind, values).filter((field) => field.connection);
  const built = collect(kind, values, fields);
  for (const field of fields) {
    if (field.connection === 'required' && isEmpty(field, values)) built.errors[field.key] ??= `${field.label} is needed to fetch the ${managerKindSpecs[kind].fetchesOptions?.noun ?? 'choices'}`;
  }
  addSchemaIssues(kind, built, fields, 'drop');
  return built;
}

/** One choice a fetched list offers, and the field values choosing it sets. */
export interface FetchedChoice {
  label: string;
  detail: string;
  patch: ManagerFormValues;
}

/** What the form can choose from what was fetched: Vault's KV mounts, Azure's vaults. */
export function fetchedChoices(options: ManagerOptions): FetchedChoice[] {
  return optionChoices(options)
    .filter((choice) => choice.choosable)
    .map(({ label, detail, patch }) => ({ label, detail, patch }));
}

/**
 * The values an edit starts from: the non-secret fields from publicConfig
 * (nested or flat), secret fields empty, choices inferred from what is there.
 */
export function valuesFromPublicConfig(kind: ExternalKind, publicConfig: Record<string, unknown>): ManagerFormValues {
  const values = initialManagerValues(kind);
  for (const field of managerFields(kind)) {
    if (field.fromConfig) values[field.key] = field.fromConfig((path) => getPath(publicConfig, path));
    if (field.secret || field.key.startsWith('$')) continue;
    const value = getPath(publicConfig, field.key);
    if (value === undefined || value === null) continue;
    if (field.type === 'checkbox') values[field.key] = value === true;
    else if (typeof value === 'string' || typeof value === 'number') values[field.key] = String(value);
  }
  return values;
}

/** Main's issue paths name the configuration's fields, possibly under `config.` or `sealedConfig.`. */
function fieldForIssue(kind: ExternalKind, path: string): string | null {
  if (path === 'name') return 'name';
  const bare = path.replace(/^(sealedConfig|config)\.?/, '');
  if (bare === '') return null;
  const keys = managerFields(kind).map((field) => field.key).filter((key) => !key.startsWith('$'));
  if (keys.includes(bare)) return bare;
  // `engine` → engine.mount, `serviceAccount.private_key` → serviceAccount, `auth` → the auth method.
  const owner = keys.filter((key) => bare.startsWith(`${key}.`)).sort((a, b) => b.length - a.length)[0];
  if (owner) return owner;
  return keys.find((key) => key.startsWith(`${bare}.`)) ?? null;
}

/** Puts main's INVALID_REQUEST issues and NAME_TAKEN under their fields; the rest goes to `form`. */
export function managerErrorsFromServer(kind: ExternalKind, err: unknown): ManagerFormErrors {
  if (err instanceof IpcCallError && err.code === 'NAME_TAKEN') return { name: 'A manager with this name already exists.' };
  if (err instanceof IpcCallError && err.code === 'INVALID_REQUEST' && err.issues?.length) {
    const errors: ManagerFormErrors = {};
    const unplaced: string[] = [];
    for (const issue of err.issues) {
      const field = fieldForIssue(kind, issue.path);
      if (field) errors[field] ??= issue.message;
      else unplaced.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    }
    if (unplaced.length > 0) errors.form = unplaced.join('; ');
    return errors;
  }
  return { form: managerErrorText(err) };
}

function seconds(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 90 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}

/** One sentence for a manager action that failed, naming what to do. */
export function managerErrorText(err: unknown): string {
  if (!(err instanceof IpcCallError)) return describeError(err);
  const error: IpcError = err.error;
  switch (error.code) {
    case 'MANAGER_IN_USE':
      return `${error.message} Move or delete its secrets first; a manager that holds secrets cannot be removed.`;
    case 'READ_ONLY':
      return `${error.message} A read-only manager cannot be the default or take new secrets.`;
    case 'PROVIDER_AUTH_FAILED':
      return `The provider refused the credentials: ${error.message}`;
    case 'PROVIDER_PERMISSION_DENIED':
      return error.permission ? `Permission denied: the credentials lack ${error.permission}. ${error.message}` : `Permission denied: ${error.message}`;
    case 'PROVIDER_NOT_FOUND':
      return `Not found at the provider: ${error.message}`;
    case 'PROVIDER_THROTTLED':
      return `The provider is throttling requests${error.retryAfterMs ? `; try again in ${seconds(error.retryAfterMs)}` : ''}. ${error.message}`;
    case 'PROVIDER_UNREACHABLE':
      return `Cannot reach the provider: ${error.message}`;
    case 'PROVIDER_TLS_UNTRUSTED':
      return `The provider’s TLS certificate is not trusted: ${error.message} Add its CA under Advanced → CA certificate.`;
    case 'PROVIDER_CONFLICT':
      return `The provider refused in its current state: ${error.message}`;
    case 'NOT_FOUND':
      return 'This manager no longer exists.';
    default:
      return describeError(err);
  }
}

/** What managers.update gets: the name only when it changed, and the config only when replaced. */
export function updateRequestName(manager: Pick<ManagerSummary, 'name'>, name: string): string | undefined {
  const trimmed = name.trim();
  return trimmed === manager.name ? undefined : trimmed;
}

/** What Remove asks before removing; it warns that a manager holding secrets will be refused (MANAGER_IN_USE). */
export function removeConfirmMessage(manager: Pick<ManagerSummary, 'name' | 'secretCount'>): string {
  const base = `Remove the manager "${manager.name}"? Its stored configuration and credentials are deleted here; nothing is deleted at the provider.`;
  if (manager.secretCount === 0) return base;
  return `${base} It still holds ${manager.secretCount.toLocaleString('en')} ${manager.secretCount === 1 ? 'secret' : 'secrets'}, so removal will be refused until they are moved or deleted.`;
}

/** Why Set as default is disabled, or null. */
export function setDefaultBlockedReason(manager: Pick<ManagerSummary, 'isDefault' | 'readOnly'>): string | null {
  if (manager.isDefault) return 'Already the default manager';
  if (manager.readOnly) return 'A read-only manager cannot be the default';
  return null;
}
