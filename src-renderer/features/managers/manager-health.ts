/**
 * How a manager's connection test and health read: facts with labels and
 * readable values (token TTL, renewability, AppRole secret-id expiry first),
 * the renewal loop's state, and one line for a table cell.
 */
import { isBuiltIn, kindCan, type ManagerHealth, type ManagerSummary, type ProviderTestResult, type RenewalStatus } from '../../../src-shared/contract.js';

type FactValue = string | number | boolean | null;

/** "2 h 5 min", "3 d 4 h", "45 s". */
export function formatSeconds(total: number): string {
  if (!Number.isFinite(total)) return String(total);
  const sign = total < 0 ? '-' : '';
  let s = Math.round(Math.abs(total));
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  const parts = days > 0 ? [`${days} d`, hours ? `${hours} h` : ''] : hours > 0 ? [`${hours} h`, minutes ? `${minutes} min` : ''] : minutes > 0 ? [`${minutes} min`, s ? `${s} s` : ''] : [`${s} s`];
  return sign + parts.filter(Boolean).join(' ');
}

/** "in 3 h" / "2 d ago", relative to `now`. */
export function relativeTime(iso: string, now: number): string | null {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const delta = Math.round((at - now) / 1000);
  if (Math.abs(delta) < 5) return 'now';
  return delta > 0 ? `in ${formatSeconds(delta)}` : `${formatSeconds(-delta)} ago`;
}

interface FactSpec {
  label: string;
  format?: (value: FactValue, now: number) => string;
  /** Shown first, as the facts a Vault admin looks for. */
  key?: boolean;
}

const DAY_MS = 86_400_000;
const calendarDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const clockTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

/** How far away an instant is ("in 31 days", "in 3 h") and its date (with the time within two days). */
function instantParts(at: number, now: number): { relative: string; date: string } {
  const delta = at - now;
  const far = Math.abs(delta) >= 2 * DAY_MS;
  const days = Math.round(Math.abs(delta) / DAY_MS);
  const relative = far ? (delta > 0 ? `in ${days} days` : `${days} days ago`) : relativeTime(new Date(at).toISOString(), now)!;
  const date = far ? calendarDate.format(at) : `${calendarDate.format(at)} at ${clockTime.format(at)}`;
  return { relative, date };
}

/** "in 31 days, on 2 Jan 2027"; within two days the time too: "in 3 h, on 1 Mar 2026 at 15:00". Unparseable text is shown as given. */
export function describeWhen(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const { relative, date } = instantParts(at, now);
  return `${relative}, on ${date}`;
}

/** Providers write instants into their messages as ISO strings; show them as dates: "2 Jan 2027 (in 31 days)". */
export function humanizeInstants(text: string, now: number): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/g, (iso) => {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return iso;
    const { relative, date } = instantParts(at, now);
    return `${date} (${relative})`;
  });
}

const when = (value: FactValue, now: number): string => (typeof value === 'string' ? describeWhen(value, now) : display(value));

const factSpecs: Record<string, FactSpec> = {
  tokenTtlSeconds: { label: 'Token TTL', key: true, format: (v) => (v === null ? 'Never expires' : typeof v === 'number' ? formatSeconds(v) : display(v)) },
  tokenRenewable: { label: 'Token renewable', key: true },
  tokenExpiresAt: { label: 'Token expires', key: true, format: (v, now) => (v === null ? 'Never' : when(v, now)) },
  secretIdExpiresAt: {
    label: 'AppRole secret id expires',
    key: true,
    format: (v, now) => (v === null ? 'Unknown (see the secret-id check)' : v === 'never' ? 'Never' : when(v, now)),
  },
  appRole: { label: 'AppRole role' },
  tokenPolicies: { label: 'Token policies' },
  missingCapabilities: { label: 'Missing capabilities', key: true },
  missingPermission: { label: 'Missing permission', key: true },
  errorCode: { label: 'Error', key: true },
  credentialsExpireAt: { label: 'Credentials expire', key: true, format: (v, now) => (v === null ? 'Do not expire' : when(v, now)) },
  url: { label: 'URL' },
  namespace: { label: 'Namespace' },
  engine: { label: 'Engine' },
  readOnly: { label: 'Read-only' },
  region: { label: 'Region' },
  authentication: { label: 'Authentication' },
  keyArn: { label: 'Key ARN' },
  keyState: { label: 'Key state' },
  keySpec: { label: 'Key spec' },
  keyMaterialId: { label: 'Key material' },
  keyVersion: { label: 'Key version used' },
  key: { label: 'Key' },
  primaryVersion: { label: 'Primary version' },
  primaryState: { label: 'Primary version state' },
  algorithm: { label: 'Algorithm' },
  rotationPeriodSeconds: { label: 'Rotation period', format: (v) => (typeof v === 'number' ? formatSeconds(v) : v === null ? 'None' : display(v)) },
  secretsUnderPrefix: { label: 'Secrets under the prefix' },
  secretsOnFirstPage: { label: 'Secrets on the first page' },
};

function display(value: FactValue): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** "tokenTtlSeconds" → "Token ttl seconds"; "capabilities secret/data/x/*" stays readable. */
export function factLabel(key: string): string {
  const spec = factSpecs[key];
  if (spec) return spec.label;
  if (/\s/.test(key)) return key.charAt(0).toUpperCase() + key.slice(1);
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface FactRow {
  key: string;
  label: string;
  value: string;
  /** One of the facts an admin looks for first (TTL, renewability, expiry, what is missing). */
  important: boolean;
}

/** Facts as rows: the important ones first, then the rest in the order the provider gave them. */
export function factRows(facts: Record<string, FactValue>, now: number): FactRow[] {
  const rows = Object.entries(facts).map(([key, value]) => {
    const spec = factSpecs[key];
    return { key, label: factLabel(key), value: spec?.format ? spec.format(value, now) : display(value), important: spec?.key === true };
  });
  return [...rows.filter((row) => row.important), ...rows.filter((row) => !row.important)];
}

export type HealthTone = 'ok' | 'bad' | 'warn' | 'unknown';

export interface TestVerdict {
  tone: HealthTone;
  title: string;
}

export function testVerdict(result: ProviderTestResult): TestVerdict {
  if (!result.ok || result.checks.some((check) => !check.ok)) {
    const failed = result.checks.find((check) => !check.ok);
    return { tone: 'bad', title: failed ? `Failed: ${failed.name}` : 'The connection test failed' };
  }
  if (result.warnings.length > 0) return { tone: 'warn', title: `Works, with ${result.warnings.length === 1 ? 'a warning' : `${result.warnings.length} warnings`}` };
  return { tone: 'ok', title: 'Connection works' };
}

const renewalLabels: Record<RenewalStatus['state'], string> = {
  idle: 'Token renewal waiting to start',
  active: 'Token renewal running',
  failing: 'Token renewal failing',
  paused: 'Token renewal paused after repeated failures',
  'not-needed': 'Token never expires: no renewal needed',
  stopped: 'Token renewal stopped',
};

export function renewalLine(renewal: RenewalStatus): { tone: HealthTone; text: string } {
  const parts = [renewalLabels[renewal.state]];
  if (renewal.ttlSeconds !== null && renewal.state !== 'not-needed') parts.push(`TTL ${formatSeconds(renewal.ttlSeconds)} left`);
  if (renewal.consecutiveFailures > 0) parts.push(`${renewal.consecutiveFailures} failure${renewal.consecutiveFailures === 1 ? '' : 's'} in a row`);
  if (renewal.lastError) parts.push(`last error ${renewal.lastError.code}: ${renewal.lastError.message}`);
  const tone: HealthTone = renewal.state === 'paused' || renewal.state === 'failing' ? 'bad' : renewal.state === 'stopped' ? 'warn' : 'ok';
  return { tone, text: parts.join(' · ') };
}

export interface HealthView {
  tone: HealthTone;
  /** Healthy, Warnings, Failing, Not checked. */
  label: string;
  /** The last check, as stored. */
  lastCheckAt: string | null;
  summary: string | null;
  warnings: string[];
  renewal: { tone: HealthTone; text: string } | null;
}

export function healthView(health: ManagerHealth, kind: ManagerSummary['kind']): HealthView {
  const renewal = health.renewal ? renewalLine(health.renewal) : null;
  let tone: HealthTone;
  let label: string;
  if (kindCan(kind, isBuiltIn)) {
    tone = 'ok';
    label = 'Built in';
  } else if (health.ok === null || health.lastCheckAt === null) {
    tone = 'unknown';
    label = 'Not checked';
  } else if (!health.ok) {
    tone = 'bad';
    label = 'Failing';
  } else if (health.warnings.length > 0 || renewal?.tone === 'bad') {
    tone = 'warn';
    label = 'Warnings';
  } else {
    tone = 'ok';
    label = 'Healthy';
  }
  if (renewal?.tone === 'bad' && tone === 'ok') tone = 'warn';
  return { tone, label, lastCheckAt: health.lastCheckAt, summary: health.summary, warnings: health.warnings, renewal };
}
