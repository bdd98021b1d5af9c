/**
 * Each kind's configuration schema, by kind: what the delegate's providers and
 * the add-manager form parse with. They are kept apart from the kind
 * descriptions (manager-kinds.ts) because those load at every CLI start, which
 * must not load classic zod (scripts/build.mjs checks it).
 */
import type { z } from 'zod';
import type { ExternalManagerKind } from '../manager-kinds.js';
import * as awsKms from './aws-kms.js';
import * as awsSecretsManager from './aws-secrets-manager.js';
import * as azureKeyVault from './azure-key-vault.js';
import * as gcpKms from './gcp-kms.js';
import * as vault from './vault.js';

const schemas: Record<string, z.ZodType> = {
  'aws-kms': awsKms.configSchema,
  'aws-secrets-manager': awsSecretsManager.configSchema,
  'azure-key-vault': azureKeyVault.configSchema,
  'gcp-kms': gcpKms.configSchema,
  vault: vault.configSchema,
} satisfies Record<ExternalManagerKind, z.ZodType>;

/** A kind's configuration schema; undefined for the built-in store and for a name no kind has. */
export function managerConfigSchema(kind: string): z.ZodType | undefined {
  return Object.hasOwn(schemas, kind) ? schemas[kind] : undefined;
}

/** The schema of a kind described through `registerManagerKind` (a test-only kind, docs/architecture.md). */
export function registerManagerConfigSchema(kind: string, schema: z.ZodType): void {
  if (Object.hasOwn(schemas, kind)) throw new Error(`A configuration schema for "${kind}" is already registered.`);
  schemas[kind] = schema;
}
