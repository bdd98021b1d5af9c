/**
 * The staged report every connection test (SSH, SSH via Kerberos, Vault-signed
 * SSH certificates, WinRM) produces, and its schema as it crosses from the
 * delegate to main and on to the renderer. Each stage says what was tried, how
 * long it took and what was learnt; a failure names the stage and a typed
 * error. Every string in a report passes through the delegate's sanitizer
 * before it leaves the delegate.
 *
 * zod/mini, so a CLI served by a session checks a test's live stages without
 * loading the whole contract (the contract's schemas embed these as they are).
 */
import * as z from 'zod/mini';

export const stageNames = ['dns', 'tcp', 'tls', 'handshake', 'auth', 'probe', 'kerberos'] as const;
export type StageName = (typeof stageNames)[number];

export const connectionErrorCodes = [
  'DNS',
  'REFUSED',
  'TIMEOUT',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'UNSUPPORTED_KEY_FORMAT',
  'WRONG_PASSPHRASE',
  'AUTH_REJECTED',
  'KDC_UNREACHABLE',
  'PRINCIPAL_UNKNOWN',
  'WRONG_KEYTAB',
  'CLOCK_SKEW',
  'NO_SERVICE_PRINCIPAL',
  'CERT_EXPIRED',
  'CERT_NOT_VALID_FOR_USER',
  'TLS_UNTRUSTED',
  'BASIC_DISABLED',
  'ENCRYPTION_REQUIRED',
  'WSMAN_FAULT',
  'PROBE_FAILED',
  'SCOPE_DENIED',
  /** A system tool or addon the test needs is not installed; details name it and its package. */
  'MISSING_TOOL',
  'INTERNAL',
] as const;
export type ConnectionErrorCode = (typeof connectionErrorCodes)[number];

const detailText = z.string().check(z.maxLength(8192));
const stageDetailSchema = z.union([detailText, z.number(), z.boolean(), z.null(), z.array(detailText).check(z.maxLength(64))]);
export type StageDetail = z.infer<typeof stageDetailSchema>;
const detailsSchema = z.record(z.string().check(z.maxLength(64)), stageDetailSchema);

export const reportStageSchema = z.strictObject({
  stage: z.enum(stageNames),
  status: z.enum(['ok', 'failed', 'skipped']),
  durationMs: z.number(),
  /** Facts learnt at this stage, e.g. `{ fingerprint: 'SHA256:…', hostKey: 'known' }`. */
  details: detailsSchema,
});
export type ReportStage = z.infer<typeof reportStageSchema>;

const connectionErrorSchema = z.strictObject({
  code: z.enum(connectionErrorCodes),
  message: z.string().check(z.maxLength(4000)),
  /** Extra facts for the UI, e.g. both fingerprints of a changed host key, or the auth methods the server allows. */
  details: z.optional(detailsSchema),
});
export type ConnectionError = z.infer<typeof connectionErrorSchema>;

export const connectionReportSchema = z.strictObject({
  kind: z.enum(['ssh', 'ssh-kerberos', 'ssh-vault-certificate', 'winrm']),
  host: z.string().check(z.maxLength(253)),
  port: z.int(),
  ok: z.boolean(),
  startedAt: z.string().check(z.maxLength(64)),
  totalMs: z.number(),
  stages: z.array(reportStageSchema).check(z.maxLength(32)),
  error: z.nullable(connectionErrorSchema),
});
export type ConnectionReport = z.infer<typeof connectionReportSchema>;

/** main → renderer (and a session → its CLI): a connection test's stage, as soon as it ends. */
export const connectionStageEventSchema = z.object({ type: z.literal('connection.stage'), testId: z.uuid(), stage: reportStageSchema });
