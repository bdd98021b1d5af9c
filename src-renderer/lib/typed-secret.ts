/**
 * The forms of the structured secret types, as pure functions: the form's
 * values become the type's metadata and payload, checked with the same
 * schemas main and the delegate use, and main's refusals come back onto the
 * same fields. A text secret keeps its own simpler form (secret-form.ts).
 */
import {
  MAX_FILE_BYTES,
  crossFieldIssues,
  defaultWinrmPort,
  secretMetadataSchemas,
  secretPayloadSchemas,
  secretTypes,
  type SecretSummary,
  type SecretType,
} from '../../src-shared/contract.js';
import { applicableFields, initialValueOf, secretFieldControl, secretFieldsOfType, type SecretFieldSpec, type secretFieldSpecs } from '../../src-shared/secret-field-basics.js';
import { IpcCallError, describeError } from './errors.js';

/** A file chosen in the form: its non-secret facts and its content, base64. */
export interface ChosenFile {
  fileName: string;
  mediaType: string;
  size: number;
  contentBase64: string;
}

type StructuredType = Exclude<SecretType, 'text'>;
type Specs = typeof secretFieldSpecs;
/** Every field of every structured type as the control that edits it (its own key, or the one a file's fields share) and what that control holds. */
type AnyControl = {
  [T in StructuredType]: { [K in keyof Specs[T]]: { control: Specs[T][K] extends { control: infer C extends string } ? C : K & string; value: ControlValue<Specs[T][K]> } }[keyof Specs[T]];
}[StructuredType];
/** What a control holds, by its kind of input: a file control holds the chosen file; a field that is part of it holds nothing of its own. */
type ControlValue<S> = S extends { input: 'file' } ? ChosenFile | null : S extends { control: string } ? never : S extends { input: 'checkbox' } ? boolean : string;

/**
 * The form's values: one per control of every structured type, typed by its
 * kind of input and derived from the field specs, so a field added to a spec
 * is a form value with no edit here.
 */
export type TypedValues = { [C in AnyControl as C['control']]: C['value'] } & {
  /** The user typed the port, so "Use SSL" no longer moves it. */
  portEdited: boolean;
};

export type TypedField = Exclude<keyof TypedValues, 'portEdited'>;
export type TypedErrors = Partial<Record<TypedField | 'form', string>>;

const structuredTypes = secretTypes.filter((type): type is StructuredType => type !== 'text');

/**
 * A new form of a type: each control at its field's starting value (the
 * spec's `initial`, or empty by its kind of input), the type's own fields
 * over the other types' (an SSH form starts with key authentication, a WinRM
 * one with NTLM), and a control shared by several fields at the one whose
 * input it is.
 */
export function initialTypedValues(type: SecretType): TypedValues {
  const values: Record<string, unknown> = {};
  const start = (fields: { key: string; spec: SecretFieldSpec }[], keep: boolean) => {
    for (const { key, spec } of fields) {
      const control = spec.control ?? key;
      if ((control !== key && spec.input !== 'file') || (keep && control in values)) continue;
      values[control] = initialValueOf(spec, values);
    }
  };
  if (type !== 'text') start(secretFieldsOfType(type), false);
  // The other types' controls are in every form's values too; the first type that has one gives its start.
  start(structuredTypes.flatMap(secretFieldsOfType), true);
  values.portEdited = false;
  return values as TypedValues;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** The form for editing a stored secret: its metadata filled in, by each field's kind of input, and its secret fields empty. */
export function typedValuesFrom(secret: SecretSummary): TypedValues {
  const m = secret.metadata;
  const values = initialTypedValues(secret.type);
  // Written by key: each field's value is set by its kind of input just below.
  const form: Record<string, unknown> = values;
  for (const { key, spec } of secretFieldsOfType(secret.type)) {
    if (spec.part !== 'metadata' || spec.control !== undefined || !isTypedField(key)) continue;
    if (spec.input === 'checkbox') form[key] = m[key] === true;
    else if (spec.input === 'choice') form[key] = str(m[key]) || form[key];
    else if (spec.input === 'number') form[key] = m[key] === undefined ? form[key] : str(m[key]);
    else form[key] = str(m[key]);
  }
  // A WinRM port left out follows "Use SSL", and one that differs from that default counts as typed by hand.
  if (secret.type === 'winrm') {
    const useSsl = m.useSsl === true;
    if (m.port === undefined) values.port = String(defaultWinrmPort(useSsl));
    values.portEdited = m.port !== undefined && Number(m.port) !== defaultWinrmPort(useSsl);
  }
  return values;
}

/**
 * "Use SSL" moves the port between 5985 and 5986 unless the user set it by
 * hand. A port typed to the old default counts as not set by hand.
 */
export function winrmPortAfterSslChange(values: Pick<TypedValues, 'port' | 'portEdited'>, useSsl: boolean): { port: string; portEdited: boolean } {
  const previousDefault = String(defaultWinrmPort(!useSsl));
  const handSet = values.portEdited && values.port.trim() !== previousDefault;
  return handSet ? { port: values.port, portEdited: true } : { port: String(defaultWinrmPort(useSsl)), portEdited: false };
}

/** The form controls, each named after the schema key it edits (a file's one control covers its name, size, type and content). */
const typedFieldNames = new Set<string>(Object.keys(initialTypedValues('ssh')).filter((key) => key !== 'portEdited'));
const isTypedField = (name: string): name is TypedField => typedFieldNames.has(name);

/** One control of a type's form and the field spec it draws its label, hint and input from. */
export interface TypedControl {
  field: TypedField;
  spec: SecretFieldSpec;
}

/**
 * Which controls a type's form shows for its current choices, in the order of
 * the type's field specs. A text secret keeps its own simpler form
 * (secret-form.ts), so it has none here.
 */
export function visibleControls(type: SecretType, values: TypedValues): TypedControl[] {
  if (type === 'text') return [];
  const controls: TypedControl[] = [];
  for (const { key, spec } of applicableFields(type, values)) {
    const field = spec.control ?? key;
    if (!isTypedField(field)) throw new Error(`The ${type} field "${key}" has no control in the typed form`);
    if (!controls.some((control) => control.field === field)) controls.push({ field, spec });
  }
  return controls;
}

/** Which fields a type's form shows for its current choices, in order. */
export function visibleFields(type: SecretType, values: TypedValues): TypedField[] {
  return visibleControls(type, values).map((control) => control.field);
}

/** A number field's text as a number; anything that is not a whole number is left for the schema to refuse. */
function numberOf(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** One metadata field's value as the form holds it, by its kind of input; undefined leaves it out. */
function metadataValue(key: string, spec: SecretFieldSpec, values: TypedValues): unknown {
  if (spec.control === 'file') return values.file?.[key as 'fileName' | 'mediaType' | 'size'];
  const form: Readonly<Record<string, unknown>> = values;
  const raw = form[key];
  switch (spec.input) {
    case 'number':
      return numberOf(raw as string);
    case 'checkbox':
      return raw === true;
    case 'manager':
      return raw || null;
    case 'choice':
      return raw;
    default: {
      const text = (raw as string).trim();
      return spec.optional && text === '' ? undefined : text;
    }
  }
}

/** The metadata a type's form describes: the metadata fields that apply to its choices, before the schema fills defaults. */
export function metadataOf(type: SecretType, values: TypedValues): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const { key, spec } of applicableFields(type, values)) {
    if (spec.part !== 'metadata') continue;
    const value = metadataValue(key, spec, values);
    if (value !== undefined) metadata[key] = value;
  }
  return metadata;
}

/** The payload a type's form describes: only the secret fields its choices use, and only those filled in. */
export function payloadOf(type: SecretType, values: TypedValues): Record<string, string> {
  // A text secret's value comes from its own form (secret-form.ts).
  if (type === 'text') return {};
  const payload: Record<string, string> = {};
  for (const { key, spec } of applicableFields(type, values)) {
    if (spec.part !== 'payload') continue;
    if (spec.control === 'file') payload[key] = values.file?.contentBase64 ?? '';
    else if (isTypedField(key) && values[key] !== '') payload[key] = values[key] as string;
  }
  return payload;
}

/** The controls that take secret fields, from every type's payload specs. */
const secretControls = [
  ...new Set(secretTypes.filter((type) => type !== 'text').flatMap((type) => secretFieldsOfType(type).filter(({ spec }) => spec.part === 'payload').map(({ key, spec }) => spec.control ?? key))),
].filter(isTypedField);

/** Did the user type or choose any secret field? */
export function secretFieldsEntered(values: TypedValues): boolean {
  return secretControls.some((field) => values[field] !== '' && values[field] !== null);
}

/** A schema's or the delegate's path ("metadata.port", "privateKey", "file.size") as a form field, read from the field specs. */
export function fieldOfIssuePath(path: string): TypedField | null {
  const control = secretFieldControl(path);
  return control !== null && isTypedField(control) ? control : null;
}

export interface BuiltTyped {
  metadata: Record<string, unknown>;
  /** What gets sealed: the payload's JSON text. */
  payload: string;
  errors: TypedErrors;
}

/** Checks a structured form with the shared schemas and builds what is sent. */
export function buildTyped(type: SecretType, values: TypedValues): BuiltTyped {
  const errors: TypedErrors = {};
  const put = (path: string, message: string) => {
    const field = fieldOfIssuePath(path);
    if (field === 'port') errors.port ??= 'Port must be 1–65535';
    else if (field === 'privateKey' && values.privateKey === '') errors.privateKey ??= 'A private key is required';
    else if (field) errors[field] ??= message;
    else errors.form ??= message;
  };
  if (type === 'file') {
    if (!values.file) errors.file = 'Choose a file';
    else if (values.file.size > MAX_FILE_BYTES) errors.file = fileTooLargeMessage(values.file.size);
  }
  const rawMetadata = metadataOf(type, values);
  const metadata = secretMetadataSchemas[type].safeParse(rawMetadata);
  if (!metadata.success && type !== 'file') for (const issue of metadata.error.issues) put(issue.path.join('.'), issue.message);
  if (!metadata.success && type === 'file' && values.file) errors.file ??= metadata.error.issues[0]?.message ?? 'Invalid file';
  const rawPayload = payloadOf(type, values);
  const payload = secretPayloadSchemas[type].safeParse(rawPayload);
  if (!payload.success && type !== 'file') {
    for (const issue of payload.error.issues) put(issue.path.join('.'), issue.message);
  }
  for (const issue of crossFieldIssues(type, rawMetadata, rawPayload)) put(issue.path, issue.message);
  return {
    metadata: metadata.success ? (metadata.data as Record<string, unknown>) : rawMetadata,
    payload: JSON.stringify(rawPayload),
    errors,
  };
}

/** Order-independent equality of two metadata records, for "did the fields change?". */
export function sameMetadata(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const canonical = (record: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => [key, record[key]]),
    );
  return canonical(a) === canonical(b);
}

/** Puts main's INVALID_REQUEST issues and NAME_TAKEN under the form's fields. */
export function typedErrorsFromServer(err: unknown): TypedErrors & { name?: string; description?: string } {
  if (err instanceof IpcCallError && err.code === 'NAME_TAKEN') return { name: describeError(err) };
  if (err instanceof IpcCallError && err.code === 'INVALID_REQUEST' && err.issues?.length) {
    const errors: TypedErrors & { name?: string; description?: string } = {};
    const unplaced: string[] = [];
    for (const issue of err.issues) {
      if (issue.path === 'name' || issue.path === 'description') {
        errors[issue.path] ??= issue.message;
        continue;
      }
      const field = fieldOfIssuePath(issue.path);
      if (field) errors[field] ??= issue.message;
      else unplaced.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    }
    if (unplaced.length > 0) errors.form = unplaced.join('; ');
    return errors;
  }
  return { form: describeError(err) };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function fileTooLargeMessage(size: number): string {
  return `This file is ${formatBytes(size)} (${size.toLocaleString('en')} bytes); files are limited to 10 MiB`;
}

/** Checked before a file is read, so a huge file is never loaded into the window. */
export function checkFileSize(size: number): string | null {
  return size > MAX_FILE_BYTES ? fileTooLargeMessage(size) : null;
}

/** Base64 of raw bytes, in chunks so a 10 MiB file does not overflow the call stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
