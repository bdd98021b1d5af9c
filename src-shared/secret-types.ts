/**
 * Every secret type, field by field: the non-secret metadata main stores and
 * validates, and the secret payload only the delegate ever opens. Both live
 * here, beside the protocol, so the renderer's forms, main's router and the
 * delegate check the same rules. Pure zod, no Node: the renderer imports it
 * through the contract.
 *
 * A text secret's payload is its value, as is. Every other type's payload is
 * the JSON text of its payload schema.
 */
import { z } from 'zod';

export { MAX_FILE_BYTES, MAX_TEXT_VALUE_CHARS, defaultWinrmPort, secretTypeDescriptions, secretTypes } from './secret-type-basics.js';
export type { SecretType, SecretTypeDescription } from './secret-type-basics.js';
import { MAX_FILE_BYTES, MAX_TEXT_VALUE_CHARS, type SecretType } from './secret-type-basics.js';
// The rules across fields are declared on the fields' specs (requiredWhenApplies).
export { crossFieldIssues, type FieldIssue } from './secret-field-basics.js';

/** The longest private key accepted, in characters of PEM or OpenSSH text. */
export const MAX_KEY_CHARS = 64 * 1024;

const port = z.number().int().min(1, 'Port must be 1–65535').max(65535, 'Port must be 1–65535');
const userName = z.string().min(1, 'User name is required').max(256, 'User name is longer than 256 characters').regex(/^[^\s:@/\\]+$/, 'User name cannot contain spaces, :, @, / or \\');
const localPath = z.string().min(1, 'Path is required').max(4096).regex(/^(\/|[A-Za-z]:\\|~\/)/, 'Use an absolute path on this machine');
const hostPort = z.string().max(261).regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'Use host or host:port');
const realm = z.string().min(1, 'Realm is required').max(255).regex(/^[A-Za-z0-9.-]+$/, 'Realms use letters, digits, . and -');
const principal = z.string().min(1, 'Principal is required').max(255).regex(/^[^\s@]+$/, 'Give the principal without @REALM');

export const secretMetadataSchemas = {
  text: z.strictObject({}),
  file: z.strictObject({
    fileName: z.string().min(1).max(255).regex(/^[^/\\\0]+$/, 'A file name, not a path'),
    mediaType: z.string().max(255).default('application/octet-stream'),
    size: z.number().int().min(0).max(MAX_FILE_BYTES, 'Files are limited to 10 MiB'),
  }),
  ssh: z.strictObject({
    username: userName,
    auth: z.enum(['key', 'key-path', 'password']),
    keyPath: localPath.optional(),
    port: port.default(22),
  }),
  'ssh-kerberos': z.strictObject({
    principal,
    realm,
    kdc: hostPort.optional(),
    tgtSource: z.enum(['keytab', 'password', 'ticket-cache']),
    keytabPath: localPath.optional(),
    ticketCache: z.string().max(4096).optional(),
    port: port.default(22),
  }),
  'ssh-vault-certificate': z.strictObject({
    username: userName,
    /** The Vault secret manager that signs the key; null until Vault managers exist. */
    vaultManagerId: z.string().max(64).nullable().default(null),
    mount: z.string().min(1, 'Engine mount is required').max(255).regex(/^[A-Za-z0-9_/-]+$/, 'Letters, digits, _, - and /'),
    role: z.string().min(1, 'Role is required').max(255).regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, _ and -'),
    port: port.default(22),
  }),
  winrm: z.strictObject({
    domain: z.string().max(255).regex(/^[A-Za-z0-9.-]*$/, 'Letters, digits, . and -').default(''),
    username: userName,
    auth: z.enum(['ntlm', 'kerberos', 'basic']),
    kerberosSource: z.enum(['password', 'keytab']).optional(),
    keytabPath: localPath.optional(),
    realm: realm.optional(),
    /** Kerberos only: `host` or `host:port`; without it the system's krb5.conf decides. */
    kdc: hostPort.optional(),
    useSsl: z.boolean().default(false),
    skipCertCheck: z.boolean().default(false),
    useNoProfile: z.boolean().default(false),
    /** Basic sends the password in clear over HTTP: only when the admin says so for this credential. */
    allowBasicOverHttp: z.boolean().default(false),
    port: port.optional(),
  }),
} satisfies Record<SecretType, z.ZodType>;

export type SecretMetadata<T extends SecretType = SecretType> = z.infer<(typeof secretMetadataSchemas)[T]>;

const optionalSecret = (max: number) => z.string().max(max).optional();

export const secretPayloadSchemas = {
  text: z.string().max(MAX_TEXT_VALUE_CHARS, 'Values are limited to 64 KiB'),
  file: z.strictObject({ contentBase64: z.string().max(Math.ceil(MAX_FILE_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/) }),
  ssh: z.strictObject({ password: optionalSecret(1024), privateKey: optionalSecret(MAX_KEY_CHARS), keyPassphrase: optionalSecret(1024) }),
  'ssh-kerberos': z.strictObject({ password: optionalSecret(1024) }),
  'ssh-vault-certificate': z.strictObject({ privateKey: z.string().min(1).max(MAX_KEY_CHARS), keyPassphrase: optionalSecret(1024) }),
  winrm: z.strictObject({ password: optionalSecret(1024) }),
} satisfies Record<SecretType, z.ZodType>;

export type SecretPayload<T extends SecretType = SecretType> = z.infer<(typeof secretPayloadSchemas)[T]>;
