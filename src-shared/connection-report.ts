/**
 * The staged report every connection test (SSH, SSH via Kerberos, Vault-signed
 * SSH certificates, WinRM) produces, and its schema as it crosses from the
 * delegate to main and on to the renderer. Each stage says what was tried, how
 * long it took and what was learnt; a failure names the stage and a typed
 * error. Every string in a report passes through the delegate's sanitizer
 * before it leaves the delegate.
 */
import { z } from 'zod';

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

const stageDetailSchema = z.union([z.string().max(8192), z.number(), z.boolean(), z.null(), z.array(z.string().max(8192)).max(64)]);
export type StageDetail = z.infer<typeof stageDetailSchema>;

export const reportStageSchema = z.strictObject({
  stage: z.enum(stageNames),
  status: z.enum(['ok', 'failed', 'skipped']),
  durationMs: z.number(),
  /** Facts learnt at this stage, e.g. `{ fingerprint: 'SHA256:…', hostKey: 'known' }`. */
  details: z.record(z.string().max(64), stageDetailSchema),
});
export type ReportStage = z.infer<typeof reportStageSchema>;

const connectionErrorSchema = z.strictObject({
  code: z.enum(connectionErrorCodes),
  message: z.string().max(4000),
  /** Extra facts for the UI, e.g. both fingerprints of a changed host key, or the auth methods the server allows. */
  details: z.record(z.string().max(64), stageDetailSchema).optional(),
});
export type ConnectionError = z.infer<typeof connectionErrorSchema>;

export const connectionReportSchema = z.strictObject({
  kind: z.enum(['ssh', 'ssh-kerberos', 'ssh-vault-certificate', 'winrm']),
  host: z.string().max(253),
  port: z.number().int(),
  ok: z.boolean(),
  startedAt: z.string().max(64),
  totalMs: z.number(),
  stages: z.array(reportStageSchema).max(32),
  error: connectionErrorSchema.nullable(),
});
export type ConnectionReport = z.infer<typeof connectionReportSchema>;
