/**
 * The WinRM credential as the delegate holds it, with its zod schema.
 *
 * A credential names how to authenticate (NTLM, Kerberos or Basic) and the
 * transport (HTTP on 5985 or HTTPS on 5986); the host comes from the test's
 * target so one credential can be tried against many hosts.
 */
import { z } from 'zod';

export const winrmAuthSchemes = ['ntlm', 'kerberos', 'basic'] as const;
export type WinrmAuthScheme = (typeof winrmAuthSchemes)[number];

export const WINRM_HTTP_PORT = 5985;
export const WINRM_HTTPS_PORT = 5986;

const name = z.string().trim().min(1).max(256);
/** Realm, KDC and host end up in a private krb5.conf: nothing that could start a new line or block. */
export const CONF_SAFE = /^[A-Za-z0-9._:[\]-]+$/;

export const winrmCredentialSchema = z
  .strictObject({
    /** NetBIOS or DNS domain; blank for a local account. */
    domain: z.string().trim().max(256).optional(),
    username: name,
    auth: z.enum(winrmAuthSchemes),
    password: z.string().min(1).max(1024).optional(),
    /** Kerberos only: a keytab holding the user's key, used instead of the password. */
    keytabPath: z.string().min(1).max(4096).optional(),
    /** Kerberos only: defaults to the domain in upper case. */
    realm: z.string().trim().min(1).max(256).regex(CONF_SAFE, 'letters, digits, dots and dashes only').optional(),
    /** Kerberos only: `host` or `host:port`; without it the system's krb5.conf decides. */
    kdc: z.string().trim().min(1).max(512).regex(CONF_SAFE, 'a host name or address, optionally with :port').optional(),
    useSsl: z.boolean(),
    skipCertCheck: z.boolean().default(false),
    useNoProfile: z.boolean().default(false),
    port: z.number().int().min(1).max(65_535),
    /** Basic sends the password in clear over HTTP: only when the user says so, per credential. */
    allowBasicOverHttp: z.boolean().default(false),
  })
  .superRefine((credential, ctx) => {
    if (credential.auth === 'kerberos') {
      if (!credential.password && !credential.keytabPath) {
        ctx.addIssue({ code: 'custom', path: ['password'], message: 'Kerberos needs a password or a keytab path' });
      }
      if (!credential.realm && !credential.domain) {
        ctx.addIssue({ code: 'custom', path: ['realm'], message: 'Kerberos needs a realm or a domain' });
      }
    } else if (!credential.password) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: `${credential.auth} needs a password` });
    }
  });

export type WinrmCredential = z.infer<typeof winrmCredentialSchema>;
/** What a caller may hand in: defaults not yet applied. */
export type WinrmCredentialInput = z.input<typeof winrmCredentialSchema>;

export const winrmTargetSchema = z.strictObject({
  host: z.string().trim().min(1).max(253).regex(CONF_SAFE, 'a host name or address'),
  /** Overrides the credential's port. */
  port: z.number().int().min(1).max(65_535).optional(),
});
export type WinrmTarget = z.infer<typeof winrmTargetSchema>;

export interface WinrmTestOptions {
  /** The delegate's sanitizer: every string that goes into the report passes through it. */
  mask(text: string): string;
  /** Limit for each network step (DNS, connect, TLS, each HTTP exchange, kinit). */
  timeoutMs: number;
  /** Extra trusted CA certificates in PEM, for tests and private PKIs; the system store is used otherwise. */
  tlsCa?: string | string[];
  /** Commands the probe runs in the shell; `hostname` and `whoami` unless a test asks otherwise. */
  probeCommands?: string[];
}
