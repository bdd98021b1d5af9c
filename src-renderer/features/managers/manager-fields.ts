/**
 * The manager form's fields, read from each kind's description
 * (src-shared/manager-kinds.ts, tables in src-shared/manager-fields.ts): the
 * form has no per-kind table of its own, so a kind added there shows here.
 */
import { managerKindSpec, managerKindSpecs, type ManagerKind } from '../../../src-shared/contract.js';
import type { ManagerFieldDef, ManagerFormValues } from '../../../src-shared/manager-fields.js';

export type { ManagerFieldDef, ManagerFieldType, ManagerFormValues } from '../../../src-shared/manager-fields.js';
export { isRequired } from '../../../src-shared/manager-fields.js';

export type ExternalKind = Exclude<ManagerKind, 'local'>;

/** A kind's label from its description; a name no kind has (a row from a newer version) shows as itself. */
export function kindLabel(kind: string): string {
  return managerKindSpec(kind)?.label ?? kind;
}

/** Every field of the kind's form, in order. */
export function managerFields(kind: ExternalKind): readonly ManagerFieldDef[] {
  return managerKindSpecs[kind].fields;
}

/** The fields that show for these values, in order. */
export function visibleManagerFields(kind: ExternalKind, values: ManagerFormValues): ManagerFieldDef[] {
  return managerFields(kind).filter((field) => !field.visible || field.visible(values));
}

/** Default values for a new manager of this kind. */
export function initialManagerValues(kind: ExternalKind): ManagerFormValues {
  const values: ManagerFormValues = {};
  for (const field of managerFields(kind)) {
    values[field.key] = field.defaultValue ?? (field.type === 'checkbox' ? false : field.type === 'select' ? (field.options?.[0]?.value ?? '') : '');
  }
  return values;
}
