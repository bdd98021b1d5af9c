/**
 * The connection test form and its run, as pure functions: which secrets can
 * be tested, the port a test uses by default, the checks before a request,
 * the consumers a scoped credential offers, and the live log's state as
 * stage events and the result arrive.
 */
import {
  defaultWinrmPort,
  testableSecretTypes,
  type Application,
  type ConnectionReport,
  type ConnectionTestRecord,
  type ReportStage,
  type SecretSummary,
  type UsageScope,
} from '../../../src-shared/contract.js';

export type TestableType = (typeof testableSecretTypes)[number];

export function isTestable(type: string): type is TestableType {
  return (testableSecretTypes as readonly string[]).includes(type);
}

export function isTestableSecret<S extends Pick<SecretSummary, 'type'>>(secret: S): secret is S & { type: TestableType } {
  return isTestable(secret.type);
}

/** The port main would use: the credential's own, else WinRM's by "use SSL" (5986/5985), else SSH's 22. */
export function defaultPort(secret: Pick<SecretSummary, 'type' | 'metadata'>): number {
  const port = secret.metadata.port;
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  if (secret.type === 'winrm') return defaultWinrmPort(secret.metadata.useSsl === true);
  return 22;
}

/** What the port field says when left empty. */
export function portPlaceholder(secret: Pick<SecretSummary, 'type' | 'metadata'>): string {
  return String(defaultPort(secret));
}

// The contract's host rule (connections.test `host`).
const HOST_PATTERN = /^[A-Za-z0-9:][A-Za-z0-9.:-]*$/;

export interface TestFormValues {
  host: string;
  /** Empty: the credential's default port. */
  port: string;
  applicationId: string;
  environmentId: string;
}

export type TestFormErrors = Partial<Record<'host' | 'port' | 'consumer', string>>;

export interface ConsumerChoice {
  application: string;
  environment: string;
}

export interface TestRequestParts {
  host: string;
  port: number | undefined;
  consumer: ConsumerChoice | undefined;
}

/** The host as typed, with brackets around an IPv6 literal removed (the contract takes it bare). */
export function normalizeHost(host: string): string {
  const trimmed = host.trim();
  return /^\[[0-9A-Fa-f:.]+\]$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

/**
 * Checks the form and builds the request's parts. A scoped credential needs
 * an application and environment unless it may be used outside applications
 * (scopeToAccount), in which case leaving both empty tests at account level.
 */
export function checkTestForm(
  values: TestFormValues,
  scope: UsageScope,
  apps: Application[],
): { errors: TestFormErrors; parts: TestRequestParts | null } {
  const errors: TestFormErrors = {};
  const host = normalizeHost(values.host);
  if (host === '') errors.host = 'Host is required';
  else if (host.length > 253 || !HOST_PATTERN.test(host)) errors.host = 'A host name or an IP address, without a port or scheme';
  let port: number | undefined;
  const portText = values.port.trim();
  if (portText !== '') {
    const n = Number(portText);
    if (!/^\d+$/.test(portText) || n < 1 || n > 65535) errors.port = 'Port must be 1–65535';
    else port = n;
  }
  let consumer: ConsumerChoice | undefined;
  if (values.applicationId || values.environmentId) {
    const app = apps.find((a) => a.id === values.applicationId);
    const env = app?.environments.find((e) => e.id === values.environmentId);
    if (!app || !env) errors.consumer = 'Choose both an application and one of its environments';
    else consumer = { application: app.name, environment: env.name };
  } else if (scope.scoped && !scope.scopeToAccount) {
    errors.consumer = 'This credential is scoped: choose the application and environment the test runs for';
  }
  const ok = Object.keys(errors).length === 0;
  return { errors, parts: ok ? { host, port, consumer } : null };
}

/** Whether the credential's own scope lets this application/environment use it (main also checks its manager's scope). */
export function scopeCovers(scope: UsageScope, applicationId: string, environment: { id: string; type: string }): boolean {
  if (!scope.scoped) return true;
  return scope.entries.some((entry) => {
    if (entry.applicationId !== null && entry.applicationId !== applicationId) return false;
    if (entry.environmentId !== null) return entry.environmentId === environment.id;
    if (entry.environmentType !== null) return entry.environmentType === environment.type;
    return true;
  });
}

export interface ConsumerOption {
  id: string;
  name: string;
  /** False when the credential's scope does not cover it: main would refuse with SCOPE_DENIED. */
  inScope: boolean;
}

/** Applications for the picker: those with at least one environment in scope first. */
export function applicationOptions(scope: UsageScope, apps: Application[]): ConsumerOption[] {
  const options = apps.map((app) => ({ id: app.id, name: app.name, inScope: app.environments.some((env) => scopeCovers(scope, app.id, env)) }));
  return [...options.filter((o) => o.inScope), ...options.filter((o) => !o.inScope)];
}

export function environmentOptions(scope: UsageScope, app: Application | undefined): ConsumerOption[] {
  if (!app) return [];
  const options = app.environments.map((env) => ({ id: env.id, name: env.name, inScope: scopeCovers(scope, app.id, env) }));
  return [...options.filter((o) => o.inScope), ...options.filter((o) => !o.inScope)];
}

// The live log

export type RunState =
  | { phase: 'idle' }
  | { phase: 'running'; testId: string; host: string; port: number; stages: ReportStage[] }
  | { phase: 'done'; testId: string; host: string; port: number; stages: ReportStage[]; report: ConnectionReport; hostKeyTrusted: boolean }
  | { phase: 'error'; testId: string; host: string; port: number; stages: ReportStage[]; message: string; code: string | null };

export type RunAction =
  | { type: 'start'; testId: string; host: string; port: number }
  | { type: 'stage'; testId: string; stage: ReportStage }
  | { type: 'result'; testId: string; report: ConnectionReport; hostKeyTrusted: boolean }
  | { type: 'error'; testId: string; message: string; code: string | null };

export const idleRun: RunState = { phase: 'idle' };

/**
 * Stage events carry the testId this window chose, so events of another
 * test (another window, an earlier run) are ignored. The final report
 * replaces the live stages: it is the one recorded.
 */
export function runReducer(state: RunState, action: RunAction): RunState {
  if (action.type === 'start') return { phase: 'running', testId: action.testId, host: action.host, port: action.port, stages: [] };
  if (state.phase !== 'running' || state.testId !== action.testId) return state;
  switch (action.type) {
    case 'stage':
      return { ...state, stages: [...state.stages.filter((s) => s.stage !== action.stage.stage), action.stage] };
    case 'result':
      return {
        phase: 'done',
        testId: state.testId,
        host: action.report.host,
        port: action.report.port,
        stages: action.report.stages,
        report: action.report,
        hostKeyTrusted: action.hostKeyTrusted,
      };
    case 'error':
      return { phase: 'error', testId: state.testId, host: state.host, port: state.port, stages: state.stages, message: action.message, code: action.code };
  }
}

export type LogLine = { stage: ReportStage['stage']; status: ReportStage['status'] | 'running' | 'pending'; entry: ReportStage | null };

/**
 * The log: finished stages as they came, then — while running — the next
 * expected stage as running and the rest as pending.
 */
export function logLines(state: RunState, expected: ReportStage['stage'][]): LogLine[] {
  if (state.phase === 'idle') return [];
  const lines: LogLine[] = state.stages.map((entry) => ({ stage: entry.stage, status: entry.status, entry }));
  if (state.phase !== 'running') return lines;
  const seen = new Set(state.stages.map((s) => s.stage));
  const rest = expected.filter((stage) => !seen.has(stage));
  return [...lines, ...rest.map((stage, index) => ({ stage, status: index === 0 ? ('running' as const) : ('pending' as const), entry: null }))];
}

// History

export interface HistoryRow {
  id: string;
  startedAt: string;
  target: string;
  ok: boolean;
  result: string;
  consumer: string;
  actor: string;
}

export function historyRows(records: ConnectionTestRecord[]): HistoryRow[] {
  return records.map((record) => ({
    id: record.id,
    startedAt: record.startedAt,
    target: `${record.host}:${record.port}`,
    ok: record.ok,
    result: record.ok ? 'OK' : (record.errorCode ?? 'Failed'),
    consumer: record.consumer ?? 'Account level',
    actor: record.actor,
  }));
}
