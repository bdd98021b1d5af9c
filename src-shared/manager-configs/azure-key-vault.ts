/** An Azure Key Vault store's configuration, and the part of it that signs in and lists vaults. */
import { z } from 'zod';
import { configPatterns, pemCertificate } from './config-rules.js';

/** Credentials travel to these hosts: plain HTTP is refused, do not relax. */
const httpsUrl = z.url({ protocol: /^https$/, error: 'Must be an https:// URL.' }).transform((url) => url.replace(/\/+$/, ''));

/** What is needed to sign in and list vaults: everything but the vault. */
export const connectionSchema = z.strictObject({
  environment: z.enum(['global', 'us-government']).default('global'),
  // The tenant becomes part of the authority URL: a GUID or a domain name, nothing that could add a path.
  tenantId: z.string().regex(configPatterns.azureTenant, 'A tenant id is a GUID or a domain such as contoso.onmicrosoft.com.'),
  clientId: z.guid('The client (application) id is a GUID.'),
  clientSecret: z.string().min(1),
  subscription: z.guid('The subscription id is a GUID.').optional(),
  /** Override of the sign-in authority, for emulators and private clouds. */
  authorityHost: httpsUrl.optional(),
  /** Override of Azure Resource Manager, used only to list vaults. */
  resourceManagerUrl: httpsUrl.optional(),
  /** PEM of a private CA to trust in addition to the public roots (TLS-inspecting gateways, emulators). */
  caCertificate: pemCertificate.optional(),
});

export const configSchema = connectionSchema.extend({
  vaultName: z.string().regex(configPatterns.azureVaultName, 'A vault name has 3–24 letters, digits and single dashes, starts with a letter and ends with a letter or digit.'),
  /** Override of https://<vaultName>.vault.azure.net, for emulators and private endpoints. */
  vaultUrl: httpsUrl.optional(),
  /**
   * Every secret Strongroom writes is named `<namePrefix><name>`, e.g. `strongroom-db-password`, so its
   * secrets are recognisable in a shared vault and it never deletes outside the prefix. Azure names allow
   * only letters, digits and dashes, so the prefix does too.
   */
  namePrefix: z.string().max(64).regex(/^[0-9A-Za-z-]*$/, 'A name prefix has only letters, digits and dashes, e.g. "strongroom-".').default(''),
});

export type AzureConnection = z.output<typeof connectionSchema>;
export type AzureConnectionInput = z.input<typeof connectionSchema>;
export type AzureKeyVaultConfig = z.output<typeof configSchema>;
export type AzureKeyVaultConfigInput = z.input<typeof configSchema>;
