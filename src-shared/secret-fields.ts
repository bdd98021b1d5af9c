/**
 * The field specs of secret-field-basics.ts joined to their validation: each
 * field carries the very zod schema secret-types.ts checks it with (looked
 * up, never copied) and the path its issues arrive under. Adding a field to a
 * secret type is one entry there and one key in the type's schema here.
 */
import type { z } from 'zod';
import { secretFieldIssuePath, secretFieldsOfType, type SecretFieldSpec } from './secret-field-basics.js';
import { secretMetadataSchemas, secretPayloadSchemas, secretTypes, type SecretType } from './secret-types.js';

export * from './secret-field-basics.js';

export interface SecretField extends SecretFieldSpec {
  key: string;
  /** The schema that checks this one field: a key of the type's metadata or payload schema. */
  schema: z.ZodType;
  /** Where main or the delegate report its problems ("metadata.port", "privateKey"). */
  issuePath: string;
}

function fieldSchema(type: SecretType, key: string, part: SecretFieldSpec['part']): z.ZodType {
  const schema: z.ZodType = part === 'metadata' ? secretMetadataSchemas[type] : secretPayloadSchemas[type];
  // A text secret's payload is the value itself; every other schema is an object of fields.
  const shape = 'shape' in schema ? (schema.shape as Record<string, z.ZodType>) : { value: schema };
  const found = shape[key];
  if (!found) throw new Error(`secret type ${type} has a ${part} field spec "${key}" without a schema key`);
  return found;
}

/** Every type's fields, in form order, each with its schema and issue path. */
export const secretFields = Object.fromEntries(
  secretTypes.map((type) => [type, secretFieldsOfType(type).map(({ key, spec }): SecretField => ({ ...spec, key, schema: fieldSchema(type, key, spec.part), issuePath: secretFieldIssuePath(type, key) }))]),
) as Record<SecretType, SecretField[]>;
