/**
 * Saved searches: a named filter of the secrets list (its name query, types
 * and usage scope, the same shape `secrets.list` takes), kept in the store to
 * apply again in the list or to select what a migration moves. Spread into
 * `channels` by contract.ts.
 */
import { z } from 'zod';
import { secretTypes } from './secret-types.js';

const idSchema = z.string().uuid();

/** The part of the secrets list's filter a search keeps: not the manager, sort or page. */
export const secretFilterSchema = z.strictObject({
  query: z.string().max(128).default(''),
  types: z.array(z.enum(secretTypes)).max(secretTypes.length).default([]),
  applicationId: idSchema.optional(),
  environmentId: idSchema.optional(),
});
export type SecretFilter = z.infer<typeof secretFilterSchema>;

export const savedSearchNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the search a name.')
  .max(80, 'At most 80 characters.')
  .regex(/^[^\p{Cc}]+$/u, 'No control characters.');

export const savedSearchSchema = z.object({
  id: idSchema,
  name: z.string(),
  filter: z.object({
    query: z.string(),
    types: z.array(z.enum(secretTypes)),
    applicationId: z.string().optional(),
    environmentId: z.string().optional(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SavedSearch = z.infer<typeof savedSearchSchema>;

const savedSearchList = z.object({ items: z.array(savedSearchSchema) });

export const savedSearchChannels = {
  /** Every saved search, by name. */
  'searches.list': { request: z.strictObject({}), result: savedSearchList },
  /** Saves a filter under a name; a search of that name (in any case) is replaced only with `replace`. */
  'searches.save': {
    request: z.strictObject({ name: savedSearchNameSchema, filter: secretFilterSchema, replace: z.boolean().default(false) }),
    result: savedSearchSchema,
  },
  /** A new name for a saved search, unique in any case; its filter stays. */
  'searches.rename': { request: z.strictObject({ id: idSchema, name: savedSearchNameSchema }), result: savedSearchSchema },
  'searches.delete': { request: z.strictObject({ id: idSchema }), result: savedSearchList },
} as const;
