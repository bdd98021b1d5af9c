/** Client-side checks for the secret dialogs, and mapping main's refusals onto the same fields. */
import {
  MAX_TEXT_VALUE_CHARS,
  descriptionSchema,
  secretNameSchema,
  type SecretSummary,
} from '../../src-shared/contract.js';
import { IpcCallError, describeError } from './errors.js';

export interface SecretFormValues {
  name: string;
  description: string;
  value: string;
}

export type SecretField = 'name' | 'description' | 'value';
export type SecretFormErrors = Partial<Record<SecretField | 'form', string>>;

/** In edit mode an empty value means "keep the current one". */
export function validateSecretForm(values: SecretFormValues, mode: 'create' | 'edit'): SecretFormErrors {
  const errors: SecretFormErrors = {};
  const name = secretNameSchema.safeParse(values.name.trim());
  if (!name.success) errors.name = name.error.issues[0]?.message ?? 'Invalid name';
  const description = descriptionSchema.safeParse(values.description);
  if (!description.success) errors.description = description.error.issues[0]?.message ?? 'Invalid description';
  if (mode === 'create' && values.value.length === 0) errors.value = 'Value is required';
  if (values.value.length > MAX_TEXT_VALUE_CHARS) {
    errors.value = `Value is longer than ${MAX_TEXT_VALUE_CHARS.toLocaleString('en')} characters`;
  }
  return errors;
}

export function hasErrors(errors: SecretFormErrors): boolean {
  return Object.values(errors).some(Boolean);
}

const fieldOfPath: Record<string, SecretField> = {
  name: 'name',
  description: 'description',
  sealedValue: 'value',
  value: 'value',
};

/** Puts main's INVALID_REQUEST issues and NAME_TAKEN under the fields they concern. */
export function errorsFromServer(err: unknown): SecretFormErrors {
  if (err instanceof IpcCallError && err.code === 'NAME_TAKEN') return { name: describeError(err) };
  if (err instanceof IpcCallError && err.code === 'INVALID_REQUEST' && err.issues?.length) {
    const errors: SecretFormErrors = {};
    const unplaced: string[] = [];
    for (const issue of err.issues) {
      const field = fieldOfPath[issue.path.split('.')[0] ?? ''];
      if (field) errors[field] ??= issue.message;
      else unplaced.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    }
    if (unplaced.length > 0) errors.form = unplaced.join('; ');
    return errors;
  }
  return { form: describeError(err) };
}

/** The metadata part of a secrets.update request: only what changed. */
export interface SecretChanges {
  name?: string;
  description?: string | null;
  /** Empty when the value stays as it is. */
  value: string;
}

export function changesFrom(original: SecretSummary, values: SecretFormValues): SecretChanges | null {
  const changes: SecretChanges = { value: values.value };
  const name = values.name.trim();
  if (name !== original.name) changes.name = name;
  const description = values.description.trim() === '' ? null : values.description;
  if (description !== original.description) changes.description = description;
  const changed = changes.name !== undefined || changes.description !== undefined || changes.value !== '';
  return changed ? changes : null;
}
