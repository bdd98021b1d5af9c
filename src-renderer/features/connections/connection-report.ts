/**
 * Reading a connection test: stage names, each stage's details as labelled
 * rows (fingerprints, methods offered and used, probe output, ticket expiry,
 * TLS subject/issuer/expiry), the verdict, and an actionable hint for every
 * error code of src-shared/connection-report.ts.
 */
import type { ConnectionReport, ReportStage } from '../../../src-shared/contract.js';

export type StageName = ReportStage['stage'];
export type ReportKind = ConnectionReport['kind'];
export type ConnectionErrorCode = NonNullable<ConnectionReport['error']>['code'];
type Detail = ReportStage['details'][string];

export function stageLabel(stage: StageName, kind: ReportKind | null): string {
  switch (stage) {
    case 'dns':
      return 'Name resolution';
    case 'tcp':
      return 'TCP connect';
    case 'tls':
      return 'TLS certificate';
    case 'handshake':
      return kind === 'winrm' ? 'WS-Management identify' : 'SSH handshake and host key';
    case 'kerberos':
      return 'Kerberos tickets';
    case 'auth':
      return 'Authentication';
    case 'probe':
      return kind === 'winrm' ? 'Probe (hostname, whoami)' : 'Probe (whoami)';
  }
}

/** The stages a test of this kind goes through, in order, so the log can show what is still to come. */
export function expectedStages(kind: ReportKind, useSsl = false): StageName[] {
  switch (kind) {
    case 'ssh':
      return ['dns', 'tcp', 'handshake', 'auth', 'probe'];
    case 'ssh-vault-certificate':
      return ['dns', 'tcp', 'handshake', 'auth', 'probe'];
    case 'ssh-kerberos':
      return ['dns', 'tcp', 'handshake', 'kerberos', 'auth', 'probe'];
    case 'winrm':
      return useSsl ? ['dns', 'tcp', 'tls', 'handshake', 'auth', 'probe'] : ['dns', 'tcp', 'handshake', 'auth', 'probe'];
  }
}

export type RowFormat = 'text' | 'mono' | 'date' | 'block';

export interface DetailRow {
  key: string;
  label: string;
  value: string;
  format: RowFormat;
  /** Calls for attention: a changed or new host key, an untrusted chain, a failure. */
  alert?: boolean;
}

interface DetailSpec {
  label: string;
  format?: RowFormat;
  value?: (value: Detail) => string | null;
  alert?: (value: Detail) => boolean;
}

const list = (value: Detail): string | null => (Array.isArray(value) ? (value.length ? value.join(', ') : 'none') : null);
const yesNo = (value: Detail): string | null => (typeof value === 'boolean' ? (value ? 'Yes' : 'No') : null);

const hostKeyStates: Record<string, string> = {
  known: 'Known: matches the stored key',
  new: 'New: never seen for this host and port',
  changed: 'CHANGED: does not match the stored key',
};

/** Known detail keys, in the order they read best. Unknown keys follow with a label made from the key. */
const detailSpecs: Record<string, DetailSpec> = {
  // dns, tcp
  addresses: { label: 'Addresses', format: 'mono' },
  literal: { label: 'IP address given', value: yesNo },
  address: { label: 'Connected to', format: 'mono' },
  port: { label: 'Port', format: 'mono' },
  failedAddresses: { label: 'Failed addresses', alert: () => true },
  // ssh host key
  hostKey: { label: 'Host key', value: (v) => (typeof v === 'string' ? (hostKeyStates[v] ?? v) : null), alert: (v) => v === 'changed' || v === 'new' },
  hostKeyType: { label: 'Key type', format: 'mono' },
  fingerprint: { label: 'Fingerprint', format: 'mono' },
  knownKeyTypes: { label: 'Stored key types', format: 'mono' },
  knownFingerprints: { label: 'Stored fingerprints', format: 'mono', alert: () => true },
  // tls
  protocol: { label: 'TLS version', format: 'mono' },
  subject: { label: 'Subject', format: 'mono' },
  issuer: { label: 'Issuer', format: 'mono' },
  validFrom: { label: 'Valid from', format: 'date' },
  expires: { label: 'Expires', format: 'date' },
  chain: { label: 'Chain', value: (v) => (v === 'trusted' ? 'Trusted' : v === 'untrusted' ? 'Not trusted' : null), alert: (v) => v === 'untrusted' },
  problems: { label: 'Problems', alert: () => true },
  fingerprintSha256: { label: 'Certificate SHA-256', format: 'mono' },
  skipCertCheck: { label: 'Certificate check skipped', value: yesNo, alert: (v) => v === true },
  // winrm identify
  productVendor: { label: 'Product' },
  productVersion: { label: 'Product version' },
  protocolVersion: { label: 'Protocol', format: 'mono' },
  securityProfiles: { label: 'Security profiles', format: 'mono' },
  // kerberos
  principal: { label: 'Principal', format: 'mono' },
  realm: { label: 'Realm', format: 'mono' },
  kdc: { label: 'KDC', format: 'mono' },
  ticketSource: { label: 'Ticket from' },
  ticketExpires: { label: 'Ticket (TGT) expires', format: 'date' },
  serviceTicketExpires: { label: 'Service ticket expires', format: 'date' },
  servicePrincipal: { label: 'Service principal', format: 'mono' },
  clockSkewSeconds: {
    label: 'Clock skew',
    value: (v) => (typeof v === 'number' ? `${v > 0 ? '+' : ''}${v} s` : null),
    alert: (v) => typeof v === 'number' && Math.abs(v) >= 120,
  },
  // auth
  offered: { label: 'Methods offered', format: 'mono' },
  allowed: { label: 'Methods allowed', format: 'mono' },
  used: { label: 'Method used', format: 'mono' },
  schemesOffered: { label: 'Schemes offered', format: 'mono' },
  schemeUsed: { label: 'Scheme used' },
  messageEncryption: { label: 'Message encryption' },
  channelBinding: { label: 'Channel binding', value: yesNo },
  mutualAuthentication: { label: 'Server proved its identity', value: yesNo },
  partialSuccess: { label: 'Partial success', value: yesNo },
  prompts: { label: 'Server prompts' },
  keyType: { label: 'Client key type', format: 'mono' },
  keyFingerprint: { label: 'Client key fingerprint', format: 'mono' },
  certificateSource: { label: 'Certificate', value: (v) => (v === 'signed' ? 'Signed by Vault now' : v === 'stored' ? 'Stored with the credential' : null) },
  certificateType: { label: 'Certificate type', format: 'mono' },
  certificateKeyId: { label: 'Certificate key id', format: 'mono' },
  certificateSerial: { label: 'Certificate serial', format: 'mono' },
  certificateCa: { label: 'Signing CA', format: 'mono' },
  certificateValidFrom: { label: 'Certificate valid from', format: 'date' },
  certificateValidTo: { label: 'Certificate valid to', format: 'date' },
  certificatePrincipals: { label: 'Certificate principals', format: 'mono' },
  // probe
  command: { label: 'Command', format: 'mono' },
  output: { label: 'Output', format: 'block' },
  hostname: { label: 'hostname', format: 'block' },
  whoami: { label: 'whoami', format: 'block' },
  exitStatus: { label: 'Exit status', format: 'mono', alert: (v) => v !== 0 },
  exitCode: { label: 'Exit code', format: 'mono', alert: (v) => v !== 0 },
  exitCodes: { label: 'Exit codes', format: 'mono' },
  stdout: { label: 'Standard output', format: 'block' },
  stderr: { label: 'Error output', format: 'block' },
  noProfile: { label: 'Without profile', value: yesNo },
  profileLoaded: { label: 'Profile loaded', value: yesNo },
  shellDeleted: { label: 'Shell deleted', value: yesNo, alert: (v) => v === false },
  httpStatus: { label: 'HTTP status', format: 'mono' },
};

/** Keys never shown: the full public key is long and the fingerprint identifies it. */
const hiddenKeys = new Set(['publicKey']);

/** "serviceTicketExpires" → "Service ticket expires". */
export function detailLabel(key: string): string {
  const spec = detailSpecs[key];
  if (spec) return spec.label;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function plain(value: Detail): string {
  if (value === null) return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** One set of details as rows: known keys in their reading order, then the rest as given. Empty values are left out. */
export function detailRows(details: Record<string, Detail>): DetailRow[] {
  const order = Object.keys(detailSpecs);
  const keys = Object.keys(details)
    .filter((key) => !hiddenKeys.has(key))
    .filter((key) => {
      const value = details[key];
      return value !== null && value !== undefined && value !== '';
    })
    .sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib);
    });
  return keys.map((key) => {
    const value = details[key]!;
    const spec = detailSpecs[key];
    const text = spec?.value?.(value) ?? (spec?.format === 'mono' ? list(value) : null) ?? plain(value);
    const row: DetailRow = { key, label: detailLabel(key), value: text, format: spec?.format ?? (typeof value === 'string' && value.includes('\n') ? 'block' : 'text') };
    if (spec?.alert?.(value)) row.alert = true;
    return row;
  });
}

/** The one line a finished stage shows next to its name: what was learnt, briefly. */
export function stageSummary(stage: ReportStage): string {
  const d = stage.details;
  const str = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : null);
  const arr = (key: string) => (Array.isArray(d[key]) ? (d[key] as string[]) : null);
  switch (stage.stage) {
    case 'dns':
      return arr('addresses')?.join(', ') ?? '';
    case 'tcp':
      return str('address') ? `connected to ${str('address')}${typeof d.port === 'number' ? `:${d.port}` : ''}` : '';
    case 'tls':
      return [str('subject'), str('chain') === 'untrusted' ? 'not trusted' : str('chain') === 'trusted' ? 'trusted' : null].filter(Boolean).join(' · ');
    case 'handshake':
      if (str('fingerprint')) return `${str('hostKeyType') ?? 'key'} ${str('fingerprint')}${str('hostKey') ? ` (${str('hostKey')})` : ''}`;
      return [str('productVendor'), str('productVersion')].filter(Boolean).join(' ');
    case 'kerberos':
      return [str('principal'), str('ticketExpires') ? `ticket until ${str('ticketExpires')}` : null].filter(Boolean).join(' · ');
    case 'auth': {
      const used = str('used') ?? str('schemeUsed');
      const offered = arr('offered') ?? arr('schemesOffered');
      return [used ? `used ${used}` : null, offered ? `offered ${offered.join(', ')}` : null].filter(Boolean).join(' · ');
    }
    case 'probe': {
      const who = str('output') ?? str('whoami');
      const host = str('hostname');
      return [who ? `whoami → ${who}` : null, host ? `hostname → ${host}` : null].filter(Boolean).join(' · ');
    }
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const statusMarks: Record<ReportStage['status'] | 'running' | 'pending', string> = {
  ok: '✓',
  failed: '✗',
  skipped: '–',
  running: '…',
  pending: '○',
};

/** What to do about each typed error. */
const hints: Record<ConnectionErrorCode, string> = {
  DNS: 'The name did not resolve from this machine. Check its spelling and this machine’s DNS, or test with an IP address.',
  REFUSED: 'Nothing accepted the connection on that port. Check the port, that the service (sshd, WinRM) is running, and any firewall in between.',
  TIMEOUT: 'No answer in time. The host may be down, or a firewall may drop the packets silently; check routing and firewall rules.',
  HOST_KEY_UNKNOWN:
    'This host and port have never been seen. Compare the fingerprint with the server’s own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the server) before trusting it.',
  HOST_KEY_CHANGED:
    'The server presents a different key from the one stored: this is what a man-in-the-middle looks like, or the server was reinstalled. Ask its administrator. If the change is expected, remove the old key under Known hosts, then test again and compare the new fingerprint.',
  UNSUPPORTED_KEY_FORMAT: 'The private key is in a format that cannot be read. Use an OpenSSH or PEM key (RSA, ECDSA or Ed25519); ssh-keygen -p -f <key> rewrites one in OpenSSH format.',
  WRONG_PASSPHRASE: 'The stored key passphrase does not open the private key. Edit the credential and enter the key’s passphrase again.',
  AUTH_REJECTED: 'The server refused the credential. Check the user name and the password or key, and that the server allows the method used (see the methods it offers).',
  KDC_UNREACHABLE: 'The KDC did not answer. Check the credential’s KDC (host:port), the realm’s DNS SRV records, and that port 88 is open.',
  PRINCIPAL_UNKNOWN: 'The KDC does not know this principal. Check the principal and the realm (both are case-sensitive).',
  WRONG_KEYTAB: 'The keytab holds no usable key for this principal (wrong principal, key version or encryption type). Export a fresh keytab.',
  CLOCK_SKEW: 'This machine’s clock and the server’s or KDC’s differ more than Kerberos allows (5 minutes by default). Synchronise the clocks (NTP).',
  NO_SERVICE_PRINCIPAL: 'The KDC has no service principal for this host name. Test with the host’s canonical name (FQDN), or register the SPN (host/… for SSH, HTTP/… for WinRM).',
  CERT_EXPIRED: 'The SSH certificate is expired or not yet valid. Sign the key again (Vault role TTL) and check this machine’s clock.',
  CERT_NOT_VALID_FOR_USER: 'The certificate is not valid for the login user. Check the Vault role’s allowed users and the credential’s user name.',
  TLS_UNTRUSTED:
    'The server’s HTTPS certificate is not trusted (see subject, issuer and problems). Trust its issuing CA on this machine or test with the name in the certificate. Skip certificate check on the credential only for test hosts.',
  BASIC_DISABLED: 'Basic authentication is disabled on the server. Use NTLM or Kerberos, or enable Basic in the WinRM service configuration (over HTTPS only).',
  ENCRYPTION_REQUIRED: 'The server refuses unencrypted messages. Use HTTPS (Use SSL), or NTLM or Kerberos, which encrypt messages over HTTP.',
  WSMAN_FAULT: 'The WS-Management service answered with a fault (code and message above). Check that the user may use remote management (Remote Management Users) and the WinRM configuration.',
  PROBE_FAILED: 'The login worked but the probe command failed. The account may have no shell, a restricted shell, or no rights to run commands.',
  MISSING_TOOL: 'This machine lacks a tool the test needs; the message names the package to install for each platform. Install it, then restart Strongroom and test again.',
  SCOPE_DENIED: 'This credential may not be used by the chosen application and environment. Pick another one, or widen the credential’s usage scope.',
  INTERNAL: 'Strongroom failed unexpectedly; the message says where. Try again, and report it if it persists.',
};

export function hintFor(code: string): string | null {
  return (hints as Record<string, string>)[code] ?? null;
}

/** The errors the user can act on from this dialog. */
export function canTrustHostKey(report: ConnectionReport): boolean {
  return report.error?.code === 'HOST_KEY_UNKNOWN' && hostKeyOf(report) !== null;
}

export interface SeenHostKey {
  keyType: string;
  fingerprint: string;
  /** Fingerprints stored for this host and port, when the key changed. */
  knownFingerprints: string[];
  knownKeyTypes: string[];
}

/** The host key the handshake saw (HOST_KEY_UNKNOWN / HOST_KEY_CHANGED), from the handshake stage or the error's details. */
export function hostKeyOf(report: ConnectionReport): SeenHostKey | null {
  const handshake = report.stages.find((stage) => stage.stage === 'handshake')?.details ?? {};
  const extra = report.error?.details ?? {};
  const pick = (key: string): Detail | undefined => handshake[key] ?? extra[key];
  const fingerprint = pick('fingerprint');
  const keyType = pick('hostKeyType') ?? pick('keyType');
  if (typeof fingerprint !== 'string') return null;
  const strings = (value: Detail | undefined) => (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []);
  return {
    keyType: typeof keyType === 'string' ? keyType : 'unknown',
    fingerprint,
    knownFingerprints: strings(pick('knownFingerprints')),
    knownKeyTypes: strings(pick('knownKeyTypes')),
  };
}

/** "Authentication" → "authentication", but "SSH handshake" and "TCP connect" keep their capitals. */
function inSentence(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

export interface Verdict {
  ok: boolean;
  title: string;
  message: string | null;
  hint: string | null;
  code: string | null;
}

export function verdictOf(report: ConnectionReport): Verdict {
  const target = `${report.host}:${report.port}`;
  if (report.ok) {
    const probe = report.stages.find((stage) => stage.stage === 'probe')?.details ?? {};
    const who = typeof probe.output === 'string' ? probe.output : typeof probe.whoami === 'string' ? probe.whoami : null;
    return {
      ok: true,
      title: `Connection works: ${who ? `logged in as ${who} on ` : 'logged in to '}${target} in ${formatDuration(report.totalMs)}`,
      message: null,
      hint: null,
      code: null,
    };
  }
  const failed = report.stages.find((stage) => stage.status === 'failed');
  const code = report.error?.code ?? null;
  return {
    ok: false,
    title: `Failed${failed ? ` at ${inSentence(stageLabel(failed.stage, report.kind))}` : ''}${code ? ` (${code})` : ''}`,
    message: report.error?.message ?? null,
    hint: code ? hintFor(code) : null,
    code,
  };
}
