import { describe, expect, it } from 'vitest';
import { UNSCOPED, secretTypes, type Application, type ConnectionReport, type ConnectionTestRecord, type ReportStage, type UsageScope } from '../../src-shared/contract.js';
import {
  applicationOptions,
  checkTestForm,
  defaultPort,
  environmentOptions,
  historyRows,
  idleRun,
  isTestable,
  isTestableSecret,
  logLines,
  normalizeHost,
  portPlaceholder,
  runReducer,
  scopeCovers,
  type RunState,
} from '../../src-renderer/features/connections/connection-form.js';

const APP = '00000000-0000-4000-8000-00000000000a';
const OTHER_APP = '00000000-0000-4000-8000-00000000000b';
const LIVE = '00000000-0000-4000-8000-000000000001';
const STAGING = '00000000-0000-4000-8000-000000000002';
const DEV = '00000000-0000-4000-8000-000000000003';
const TEST_ID = '00000000-0000-4000-8000-0000000000ff';

const apps: Application[] = [
  {
    id: OTHER_APP,
    name: 'billing',
    environments: [{ id: DEV, name: 'dev', type: 'non-production' }],
  },
  {
    id: APP,
    name: 'ops',
    environments: [
      { id: LIVE, name: 'live', type: 'production' },
      { id: STAGING, name: 'staging', type: 'non-production' },
    ],
  },
];

const onlyOpsLive: UsageScope = { scoped: true, scopeToAccount: false, entries: [{ applicationId: APP, environmentId: LIVE, environmentType: null }] };
const productionAnywhere: UsageScope = { scoped: true, scopeToAccount: true, entries: [{ applicationId: null, environmentId: null, environmentType: 'production' }] };

const empty = { host: '', port: '', applicationId: '', environmentId: '' };

describe('which secrets can be tested, and on which port', () => {
  it('offers a test for SSH, Kerberos, Vault-certificate and WinRM credentials only', () => {
    expect(secretTypes.filter(isTestable)).toEqual(['ssh', 'ssh-kerberos', 'ssh-vault-certificate', 'winrm']);
    expect(isTestableSecret({ type: 'text' })).toBe(false);
  });

  it('uses the credential’s port, else WinRM’s by SSL, else 22', () => {
    expect(defaultPort({ type: 'ssh', metadata: { port: 2222 } })).toBe(2222);
    expect(defaultPort({ type: 'ssh-kerberos', metadata: {} })).toBe(22);
    expect(defaultPort({ type: 'winrm', metadata: { useSsl: true } })).toBe(5986);
    expect(defaultPort({ type: 'winrm', metadata: { useSsl: false } })).toBe(5985);
    expect(defaultPort({ type: 'winrm', metadata: { useSsl: true, port: 15986 } })).toBe(15986);
    expect(defaultPort({ type: 'ssh', metadata: { port: 'not a port' } })).toBe(22);
    expect(portPlaceholder({ type: 'winrm', metadata: {} })).toBe('5985');
  });
});

describe('the test form', () => {
  it('needs a host, takes an optional port, and sends neither scheme nor port in the host', () => {
    expect(checkTestForm(empty, UNSCOPED, []).errors.host).toBe('Host is required');
    expect(checkTestForm({ ...empty, host: 'ssh://server' }, UNSCOPED, []).errors.host).toMatch(/without a port or scheme/);
    expect(checkTestForm({ ...empty, host: 'server.example.com', port: '70000' }, UNSCOPED, []).errors.port).toBe('Port must be 1–65535');
    expect(checkTestForm({ ...empty, host: ' server.example.com ', port: '' }, UNSCOPED, []).parts).toEqual({ host: 'server.example.com', port: undefined, consumer: undefined });
    expect(checkTestForm({ ...empty, host: '10.0.0.5', port: '2222' }, UNSCOPED, []).parts?.port).toBe(2222);
    expect(normalizeHost('[::1]')).toBe('::1');
  });

  it('a scoped credential needs an application and environment, sent by name', () => {
    expect(checkTestForm({ ...empty, host: 'h' }, onlyOpsLive, apps).errors.consumer).toMatch(/scoped/);
    expect(checkTestForm({ ...empty, host: 'h', applicationId: APP }, onlyOpsLive, apps).errors.consumer).toMatch(/both/);
    expect(checkTestForm({ ...empty, host: 'h', applicationId: APP, environmentId: LIVE }, onlyOpsLive, apps).parts?.consumer).toEqual({ application: 'ops', environment: 'live' });
    // An environment of another application is not accepted.
    expect(checkTestForm({ ...empty, host: 'h', applicationId: APP, environmentId: DEV }, onlyOpsLive, apps).errors.consumer).toMatch(/both/);
  });

  it('a credential usable outside applications may be tested at account level', () => {
    expect(checkTestForm({ ...empty, host: 'h' }, productionAnywhere, apps).parts?.consumer).toBeUndefined();
  });

  it('marks which consumers the credential’s scope covers, those first', () => {
    expect(scopeCovers(onlyOpsLive, APP, { id: LIVE, type: 'production' })).toBe(true);
    expect(scopeCovers(onlyOpsLive, APP, { id: STAGING, type: 'non-production' })).toBe(false);
    expect(scopeCovers(productionAnywhere, OTHER_APP, { id: 'x', type: 'production' })).toBe(true);
    expect(scopeCovers(UNSCOPED, OTHER_APP, { id: DEV, type: 'non-production' })).toBe(true);
    expect(scopeCovers({ scoped: true, scopeToAccount: false, entries: [] }, APP, { id: LIVE, type: 'production' })).toBe(false);
    expect(applicationOptions(onlyOpsLive, apps)).toEqual([
      { id: APP, name: 'ops', inScope: true },
      { id: OTHER_APP, name: 'billing', inScope: false },
    ]);
    expect(environmentOptions(onlyOpsLive, apps[1])).toEqual([
      { id: LIVE, name: 'live', inScope: true },
      { id: STAGING, name: 'staging', inScope: false },
    ]);
    expect(environmentOptions(onlyOpsLive, undefined)).toEqual([]);
  });
});

const stage = (name: ReportStage['stage'], status: ReportStage['status'] = 'ok'): ReportStage => ({ stage: name, status, durationMs: 5, details: {} });

const finalReport: ConnectionReport = {
  kind: 'ssh',
  host: 'server',
  port: 22,
  ok: false,
  startedAt: '2026-03-01T12:00:00.000Z',
  totalMs: 40,
  stages: [stage('dns'), stage('tcp'), stage('handshake', 'failed')],
  error: { code: 'HOST_KEY_UNKNOWN', message: 'unknown key' },
};

describe('the live log', () => {
  const started = runReducer(idleRun, { type: 'start', testId: TEST_ID, host: 'server', port: 22 });

  it('adds the stages of this test as they arrive and ignores other tests’ stages', () => {
    let state: RunState = runReducer(started, { type: 'stage', testId: TEST_ID, stage: stage('dns') });
    state = runReducer(state, { type: 'stage', testId: 'another-test', stage: stage('tcp', 'failed') });
    expect(state).toMatchObject({ phase: 'running', stages: [stage('dns')] });
    expect(logLines(state, ['dns', 'tcp', 'handshake', 'auth', 'probe']).map((line) => `${line.stage}:${line.status}`)).toEqual([
      'dns:ok',
      'tcp:running',
      'handshake:pending',
      'auth:pending',
      'probe:pending',
    ]);
  });

  it('replaces the live stages with the report when the result comes', () => {
    const live = runReducer(started, { type: 'stage', testId: TEST_ID, stage: stage('dns') });
    const done = runReducer(live, { type: 'result', testId: TEST_ID, report: finalReport, hostKeyTrusted: false });
    expect(done).toMatchObject({ phase: 'done', report: finalReport, stages: finalReport.stages });
    // Nothing is pending once it finished: the log ends at the failed stage.
    expect(logLines(done, ['dns', 'tcp', 'handshake', 'auth', 'probe']).map((line) => line.status)).toEqual(['ok', 'ok', 'failed']);
    // A late event of the finished test changes nothing.
    expect(runReducer(done, { type: 'stage', testId: TEST_ID, stage: stage('auth') })).toBe(done);
  });

  it('keeps what was seen when the call itself fails (scope denied), and a new run starts clean', () => {
    const failed = runReducer(started, { type: 'error', testId: TEST_ID, message: 'not in scope', code: 'SCOPE_DENIED' });
    expect(failed).toMatchObject({ phase: 'error', code: 'SCOPE_DENIED', host: 'server', port: 22 });
    const again = runReducer(failed, { type: 'start', testId: 'second', host: 'other', port: 2222 });
    expect(again).toEqual({ phase: 'running', testId: 'second', host: 'other', port: 2222, stages: [] });
    expect(logLines(idleRun, ['dns'])).toEqual([]);
  });
});

describe('history', () => {
  it('shows time, target, result, consumer and who ran it', () => {
    const record = (patch: Partial<ConnectionTestRecord>): ConnectionTestRecord => ({
      id: TEST_ID,
      host: 'server',
      port: 22,
      ok: true,
      errorCode: null,
      consumer: null,
      actor: 'alice',
      startedAt: '2026-03-01T12:00:00.000Z',
      report: finalReport,
      ...patch,
    });
    expect(historyRows([record({}), record({ ok: false, errorCode: 'AUTH_REJECTED', consumer: 'ops/live', port: 2222 })])).toEqual([
      { id: TEST_ID, startedAt: '2026-03-01T12:00:00.000Z', target: 'server:22', ok: true, result: 'OK', consumer: 'Account level', actor: 'alice' },
      { id: TEST_ID, startedAt: '2026-03-01T12:00:00.000Z', target: 'server:2222', ok: false, result: 'AUTH_REJECTED', consumer: 'ops/live', actor: 'alice' },
    ]);
  });
});
