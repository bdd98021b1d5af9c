/** A HashiCorp Vault store's configuration, and the part of it that reaches Vault and signs in. */
import { z } from 'zod';
import { isVaultPath, pemCertificate } from './config-rules.js';

const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, '');

/** A path of plain segments: no empty, `.` or `..` segment that Vault would clean into another path. */
const vaultPath = (what: string) =>
  z
    .string()
    .transform(trimSlashes)
    .refine(isVaultPath, {
      error: `The ${what} is a path of names separated by '/', without '.', '..', '#', '?' or spaces.`,
    });

const authSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('token'), token: z.string().min(1) }),
  z.strictObject({
    method: z.literal('approle'),
    roleId: z.string().min(1),
    secretId: z.string().min(1),
    mountPath: vaultPath('AppRole mount path').default('approle'),
  }),
]);

/** What is needed to reach Vault and sign in: enough to list mounts for the manager form. */
export const connectionSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'Must be an http:// or https:// URL.' }),
  namespace: vaultPath('namespace').optional(),
  auth: authSchema,
  /** PEM of a private CA to trust in addition to the public roots. */
  caCertificate: pemCertificate.optional(),
});

export const configSchema = connectionSchema.extend({
  basePath: vaultPath('base path').default(''),
  engine: z.strictObject({
    mount: vaultPath('engine mount').refine((mount) => mount !== '', { error: 'The engine mount is required.' }),
    version: z.union([z.literal(1), z.literal(2)]),
  }),
  /** Seconds between token renewals; 0 turns the loop off. */
  renewalIntervalSeconds: z.number().min(0, 'Zero or more seconds.').default(900),
  readOnly: z.boolean().default(false),
});

export type VaultConnection = z.output<typeof connectionSchema>;
export type VaultConnectionInput = z.input<typeof connectionSchema>;
export type VaultConfig = z.output<typeof configSchema>;
export type VaultConfigInput = z.input<typeof configSchema>;
