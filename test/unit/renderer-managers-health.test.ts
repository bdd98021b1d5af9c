import { describe, expect, it } from 'vitest';
import type { ManagerHealth, ProviderTestResult } from '../../src-shared/contract.js';
import { describeWhen, factLabel, factRows, formatSeconds, humanizeInstants, healthView, relativeTime, renewalLine, testVerdict } from '../../src-renderer/features/managers/manager-health.js';
import { configSummary } from '../../src-shared/contract.js';
import { kindLabel } from '../../src-renderer/features/managers/manager-fields.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

const health = (patch: Partial<ManagerHealth> = {}): ManagerHealth => ({
  lastCheckAt: '2026-03-01T11:00:00Z',
  ok: true,
  summary: 'Token valid for 2 h',
  warnings: [],
  facts: {},
  renewal: null,
  keyVersions: [],
  ...patch,
});

describe('durations and times', () => {
  it('reads seconds as an admin would', () => {
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(7500)).toBe('2 h 5 min');
    expect(formatSeconds(3600)).toBe('1 h');
    expect(formatSeconds(3 * 86_400 + 4 * 3600 + 59)).toBe('3 d 4 h');
    expect(formatSeconds(-90)).toBe('-1 min 30 s');
  });

  it('writes instants as dates, never as ISO strings', () => {
    // Noon UTC is the same calendar day in every time zone from UTC-11 to UTC+11.
    expect(describeWhen('2026-04-01T12:00:00Z', NOW)).toBe('in 31 days, on 1 Apr 2026');
    expect(describeWhen('2026-02-01T12:00:00Z', NOW)).toBe('28 days ago, on 1 Feb 2026');
    expect(humanizeInstants('logins fail after 2026-04-01T12:00:00Z.', NOW)).toBe('logins fail after 1 Apr 2026 (in 31 days).');
  });

  it('says how far away a time is', () => {
    expect(relativeTime('2026-03-01T15:00:00Z', NOW)).toBe('in 3 h');
    expect(relativeTime('2026-02-27T12:00:00Z', NOW)).toBe('2 d ago');
    expect(relativeTime('not a date', NOW)).toBeNull();
  });
});

describe('a Vault test result', () => {
  const result: ProviderTestResult = {
    ok: true,
    checks: [
      { name: 'AppRole login', ok: true, detail: 'Logged in with role strongroom.' },
      { name: 'token lookup', ok: true, detail: 'Token valid for 1 h, renewable.' },
      { name: 'capabilities', ok: true, detail: 'The token has create, read, update on secret/data/*.' },
      { name: 'secret-id expiry', ok: true, detail: 'The secret id expires in 20 h.' },
    ],
    facts: {
      url: 'https://vault.example:8200',
      engine: 'secret (KV v2)',
      readOnly: false,
      appRole: 'strongroom',
      tokenTtlSeconds: 3600,
      tokenExpiresAt: '2026-03-01T13:00:00Z',
      tokenRenewable: true,
      tokenPolicies: 'default, strongroom',
      'capabilities secret/data/strongroom/*': 'create, read, update',
      secretIdExpiresAt: '2026-03-02T08:00:00Z',
    },
    warnings: ['The AppRole secret id expires in 20 h; logins fail after 2026-03-02T08:00:00Z.'],
  };

  it('shows token TTL, renewability and the secret-id expiry first, readably', () => {
    const rows = factRows(result.facts, NOW);
    expect(rows.slice(0, 4).map((row) => [row.label, row.value])).toEqual([
      ['Token TTL', '1 h'],
      ['Token expires', expect.stringMatching(/^in 1 h, on [12] Mar 2026 at \d\d:00$/)],
      ['Token renewable', 'Yes'],
      ['AppRole secret id expires', expect.stringMatching(/^in 20 h, on [123] Mar 2026 at \d\d:00$/)],
    ]);
    expect(rows.find((row) => row.key === 'readOnly')?.value).toBe('No');
    expect(rows.find((row) => row.key === 'capabilities secret/data/strongroom/*')?.label).toBe('Capabilities secret/data/strongroom/*');
  });

  it('reads the special values: a token that never expires, an unknown or endless secret id', () => {
    const rows = factRows({ tokenTtlSeconds: null, tokenExpiresAt: null, secretIdExpiresAt: null }, NOW);
    expect(rows.map((row) => row.value)).toEqual(['Never expires', 'Never', 'Unknown (see the secret-id check)']);
    expect(factRows({ secretIdExpiresAt: 'never' }, NOW)[0]?.value).toBe('Never');
  });

  it('gives a verdict that counts warnings and names the failed check', () => {
    expect(testVerdict(result)).toEqual({ tone: 'warn', title: 'Works, with a warning' });
    expect(testVerdict({ ...result, warnings: [] })).toEqual({ tone: 'ok', title: 'Connection works' });
    // A failed check is a failure even if the result says ok.
    expect(testVerdict({ ...result, checks: [...result.checks, { name: 'capabilities', ok: false, detail: 'Missing delete' }] })).toEqual({ tone: 'bad', title: 'Failed: capabilities' });
    const failed = { ...result, ok: false, checks: [{ name: 'token lookup', ok: false, detail: 'permission denied' }], facts: { errorCode: 'AUTH_FAILED' } };
    expect(testVerdict(failed)).toEqual({ tone: 'bad', title: 'Failed: token lookup' });
    expect(factRows(failed.facts, NOW)[0]).toMatchObject({ label: 'Error', value: 'AUTH_FAILED', important: true });
  });

  it('labels facts it does not know from their key', () => {
    expect(factLabel('someNewFact')).toBe('Some new fact');
    expect(factLabel('keyVersion')).toBe('Key version used');
  });
});

describe('health', () => {
  it('says whether a manager was checked, works, warns or fails', () => {
    expect(healthView(health({ lastCheckAt: null, ok: null }), 'vault').label).toBe('Not checked');
    expect(healthView(health(), 'vault')).toMatchObject({ tone: 'ok', label: 'Healthy' });
    expect(healthView(health({ warnings: ['expires soon'] }), 'vault')).toMatchObject({ tone: 'warn', label: 'Warnings' });
    expect(healthView(health({ ok: false }), 'aws-kms')).toMatchObject({ tone: 'bad', label: 'Failing' });
    expect(healthView(health({ lastCheckAt: null, ok: null }), 'local')).toMatchObject({ tone: 'ok', label: 'Built in' });
  });

  it('shows Vault’s renewal loop, and a paused loop turns a healthy manager to a warning', () => {
    const paused = { state: 'paused' as const, consecutiveFailures: 3, ttlSeconds: 600, lastRenewedAt: null, lastError: { code: 'UNREACHABLE', message: 'connection refused' } };
    expect(renewalLine(paused)).toEqual({
      tone: 'bad',
      text: 'Token renewal paused after repeated failures · TTL 10 min left · 3 failures in a row · last error UNREACHABLE: connection refused',
    });
    expect(healthView(health({ renewal: paused }), 'vault')).toMatchObject({ tone: 'warn', label: 'Warnings' });
    expect(renewalLine({ state: 'not-needed', consecutiveFailures: 0, ttlSeconds: 0, lastRenewedAt: null, lastError: null }).text).toBe('Token never expires: no renewal needed');
  });

  it('sums up what a manager points at', () => {
    expect(configSummary('vault', { url: 'https://v:8200', engine: { mount: 'secret', version: 2 }, basePath: 'prod' })).toBe('https://v:8200 · secret (KV v2) · prod');
    expect(configSummary('aws-secrets-manager', { region: 'us-east-1', namePrefix: 'sr/' })).toBe('sr/* · us-east-1');
    expect(configSummary('gcp-kms', { projectId: 'acme', location: 'eu', keyRing: 'r', keyName: 'k' })).toBe('acme · eu · r/k');
    expect(configSummary('local', {})).toBe('');
    expect(kindLabel('azure-key-vault')).toBe('Azure Key Vault');
    expect(kindLabel('something-new')).toBe('something-new');
  });
});
