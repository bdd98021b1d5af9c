/**
 * What an SSH connection test needs to know: the credential, in one of five
 * kinds, and the target. Every field that ends up in a generated file
 * (krb5.conf, known_hosts) or in the system client's arguments is checked
 * against a strict pattern here, so no value can smuggle in an option, a
 * line break or a profile section.
 */
import { z } from 'zod';

const MAX_KEY_CHARS = 64 * 1024;

/** Letters, digits and `._-`; may hold a Windows domain (`DOMAIN\user`) or UPN (`user@domain`), never lead with `-`. */
const username = z.string().min(1).max(256).regex(/^[A-Za-z0-9._][A-Za-z0-9._@\\-]*\$?$/, 'not a valid user name');
const secret = z.string().min(1).max(4096);
const privateKey = z.string().min(1).max(MAX_KEY_CHARS);

/** A DNS name, IPv4 address or IPv6 address; never leads with `-`. */
export const hostSchema = z.string().min(1).max(253).regex(/^[A-Za-z0-9:][A-Za-z0-9.:-]*$/, 'not a valid host name or address');

export const sshPasswordCredentialSchema = z.strictObject({
  kind: z.literal('password'),
  username,
  password: secret,
});

/** A private key in OpenSSH (`BEGIN OPENSSH PRIVATE KEY`) or PEM (`BEGIN RSA/EC PRIVATE KEY`) format. */
export const sshPrivateKeyCredentialSchema = z.strictObject({
  kind: z.literal('private-key'),
  username,
  privateKey,
  passphrase: secret.optional(),
});

/** A private key file on the machine the delegate runs on. */
export const sshKeyPathCredentialSchema = z.strictObject({
  kind: z.literal('key-path'),
  username,
  path: z.string().min(1).max(4096).startsWith('/', 'must be an absolute path'),
  passphrase: secret.optional(),
});

/**
 * A private key with an OpenSSH user certificate. Without `certificate`,
 * the tester asks `SshTestOptions.signPublicKey` (the Vault SSH engine) to
 * sign the key's public half.
 */
export const sshCertificateCredentialSchema = z.strictObject({
  kind: z.literal('certificate'),
  username,
  privateKey,
  passphrase: secret.optional(),
  certificate: z.string().min(1).max(MAX_KEY_CHARS).optional(),
});

/** How the Kerberos test gets a TGT. */
export const kerberosTicketSourceSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('password'), password: secret }),
  z.strictObject({ source: z.literal('keytab'), keytabPath: z.string().min(1).max(4096).startsWith('/', 'must be an absolute path') }),
  z.strictObject({ source: z.literal('keytab-content'), keytabBase64: z.string().min(1).max(MAX_KEY_CHARS).regex(/^[A-Za-z0-9+/]+={0,2}$/) }),
  /** An existing FILE: credential cache; the test works on a copy, so the original is never changed. */
  z.strictObject({ source: z.literal('ccache'), ccachePath: z.string().min(1).max(4096).startsWith('/', 'must be an absolute path') }),
]);

export const kerberosCredentialSchema = z.strictObject({
  kind: z.literal('kerberos'),
  /** The principal without its realm, e.g. `alice` or `svc/backup`. */
  principal: z.string().min(1).max(256).regex(/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/, 'not a valid principal name'),
  realm: z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not a valid realm'),
  /** `host` or `host:port`; without it the KDC is found through DNS SRV records. */
  kdc: z.string().min(1).max(260).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*(:\d{1,5})?$/, 'expected host or host:port').optional(),
  /** The account to log in as; defaults to the principal's first component. */
  username: username.optional(),
  ticket: kerberosTicketSourceSchema,
});

export const sshCredentialSchema = z.discriminatedUnion('kind', [
  sshPasswordCredentialSchema,
  sshPrivateKeyCredentialSchema,
  sshKeyPathCredentialSchema,
  sshCertificateCredentialSchema,
  kerberosCredentialSchema,
]);

export const sshTargetSchema = z.strictObject({
  /** For Kerberos, the name the host's service principal carries (`host/<name>`), e.g. its FQDN, not an address. */
  host: hostSchema,
  port: z.number().int().min(1).max(65535).default(22),
});

export type SshPasswordCredential = z.infer<typeof sshPasswordCredentialSchema>;
export type SshPrivateKeyCredential = z.infer<typeof sshPrivateKeyCredentialSchema>;
export type SshKeyPathCredential = z.infer<typeof sshKeyPathCredentialSchema>;
export type SshCertificateCredential = z.infer<typeof sshCertificateCredentialSchema>;
export type KerberosTicketSource = z.infer<typeof kerberosTicketSourceSchema>;
export type KerberosCredential = z.infer<typeof kerberosCredentialSchema>;
export type SshCredential = z.infer<typeof sshCredentialSchema>;
export type SshTarget = z.output<typeof sshTargetSchema>;
/** A target as callers give it: the port may be left out. */
export type SshTargetInput = z.input<typeof sshTargetSchema>;
