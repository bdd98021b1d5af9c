import { describe, expect, it } from 'vitest';
import { MIN_PASSPHRASE_LENGTH, UNSCOPED, type SecretSummary } from '../../src-shared/contract.js';
import { describeVerification, pageInfo } from '../../src-renderer/lib/audit.js';
import { ConnectionLostError, IpcCallError, describeError } from '../../src-renderer/lib/errors.js';
import { strengthWarning, validateNewPassphrase } from '../../src-renderer/lib/passphrase.js';
import { formatWait, retryDeadline, secondsUntil, unlockErrorText } from '../../src-renderer/lib/retry-countdown.js';
import { changesFrom, errorsFromServer, hasErrors, validateSecretForm } from '../../src-renderer/lib/secret-form.js';
import { detailRows, fieldLabel, valueEditable } from '../../src-renderer/lib/secret-types.js';
import { matchShortcut, type KeyPress } from '../../src-renderer/lib/shortcuts.js';

const original: SecretSummary = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'db-password',
  description: null,
  type: 'text',
  metadata: {},
  facts: {},
  managerId: 'local',
  reference: null,
  remoteLocation: null,
  scope: UNSCOPED,
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

describe('secret form', () => {
  it('checks names with the contract’s schema', () => {
    expect(validateSecretForm({ name: 'db password', description: '', value: 'x' }, 'create').name).toMatch(/letters, digits/);
    expect(validateSecretForm({ name: '', description: '', value: 'x' }, 'create').name).toBe('Name is required');
    expect(validateSecretForm({ name: 'a'.repeat(129), description: '', value: 'x' }, 'create').name).toMatch(/128/);
    expect(hasErrors(validateSecretForm({ name: 'API_key-2', description: '', value: 'x' }, 'create'))).toBe(false);
  });

  it('requires a value only when creating', () => {
    expect(validateSecretForm({ name: 'n', description: '', value: '' }, 'create').value).toBe('Value is required');
    expect(validateSecretForm({ name: 'n', description: '', value: '' }, 'edit').value).toBeUndefined();
  });

  it('puts main’s refusals under the fields they concern', () => {
    const taken = new IpcCallError('secrets.create', { code: 'NAME_TAKEN', message: 'A secret named "db" already exists.' });
    expect(errorsFromServer(taken)).toEqual({ name: 'A secret named "db" already exists.' });
    const invalid = new IpcCallError('secrets.create', {
      code: 'INVALID_REQUEST',
      message: 'invalid',
      issues: [
        { path: 'name', message: 'Use only letters, digits, - and _' },
        { path: 'sealedValue.ct', message: 'expected base64' },
        { path: 'extra', message: 'unexpected' },
      ],
    });
    expect(errorsFromServer(invalid)).toEqual({
      name: 'Use only letters, digits, - and _',
      value: 'expected base64',
      form: 'extra: unexpected',
    });
    expect(errorsFromServer(new ConnectionLostError()).form).toMatch(/connection/i);
  });

  it('sends only what changed in an edit', () => {
    expect(changesFrom(original, { name: 'db-password', description: '', value: '' })).toBeNull();
    expect(changesFrom(original, { name: ' db-main ', description: '', value: '' })).toEqual({ name: 'db-main', value: '' });
    expect(changesFrom(original, { name: 'db-password', description: 'Primary', value: '' })).toEqual({
      description: 'Primary',
      value: '',
    });
    expect(changesFrom({ ...original, description: 'Primary' }, { name: 'db-password', description: '  ', value: '' })).toEqual({
      description: null,
      value: '',
    });
    expect(changesFrom(original, { name: 'db-password', description: '', value: 'new' })).toEqual({ value: 'new' });
  });
});

describe('secret types in the detail view', () => {
  it('shows non-secret fields as readable rows and skips empty ones', () => {
    expect(fieldLabel('keyPath')).toBe('Key path');
    expect(fieldLabel('useSsl')).toBe('Use ssl');
    expect(detailRows({ username: 'admin', port: 22, keyPath: '', useSsl: false }, { fingerprint: 'SHA256:abc' })).toEqual([
      { label: 'Username', value: 'admin' },
      { label: 'Port', value: '22' },
      { label: 'Use ssl', value: 'No' },
      { label: 'Fingerprint', value: 'SHA256:abc' },
    ]);
  });

  it('edits values only for text secrets', () => {
    expect(valueEditable('text')).toBe(true);
    expect(valueEditable('ssh')).toBe(false);
  });
});

describe('first-run passphrase', () => {
  it('enforces the minimum length and a matching repeat', () => {
    const short = 'a'.repeat(MIN_PASSPHRASE_LENGTH - 1);
    expect(validateNewPassphrase(short, short).passphrase).toMatch(String(MIN_PASSPHRASE_LENGTH));
    const long = 'correct horse battery staple';
    expect(validateNewPassphrase(long, 'correct horse battery stapel').confirm).toMatch(/do not match/);
    expect(validateNewPassphrase(long, long)).toEqual({});
  });

  it('refuses a passphrase rated below Strong unless the user accepts a weak one', () => {
    const common = 'password1234';
    expect(validateNewPassphrase(common, common, { score: 1, weakAccepted: false }).passphrase).toMatch(/weak.*anyway/);
    expect(validateNewPassphrase(common, common, { score: 1, weakAccepted: true })).toEqual({});
    expect(validateNewPassphrase(common, common, { score: 3, weakAccepted: false })).toEqual({});
    // Not rated yet: the screen rates it before submitting, so nothing is refused on a guess.
    expect(validateNewPassphrase(common, common, { score: null, weakAccepted: false })).toEqual({});
  });

  it('translates zxcvbn warning keys and drops unknown ones', () => {
    expect(strengthWarning('topTen')).toMatch(/most used/);
    expect(strengthWarning('somethingNew')).toBeNull();
    expect(strengthWarning(null)).toBeNull();
  });
});

describe('unlock back-off', () => {
  it('counts down in whole seconds, rounding up', () => {
    const deadline = retryDeadline(1_000, 2_500);
    expect(deadline).toBe(3_500);
    expect(secondsUntil(deadline, 1_000)).toBe(3);
    expect(secondsUntil(deadline, 3_499)).toBe(1);
    expect(secondsUntil(deadline, 3_500)).toBe(0);
    expect(secondsUntil(null, 0)).toBe(0);
    expect(retryDeadline(1_000, 0)).toBeNull();
    expect(retryDeadline(1_000, undefined)).toBeNull();
  });

  it('says what went wrong and how long to wait', () => {
    expect(unlockErrorText('WRONG_PASSPHRASE', 0)).toBe('Wrong passphrase.');
    expect(unlockErrorText('WRONG_PASSPHRASE', 5)).toBe('Wrong passphrase. Try again in 5 s.');
    expect(unlockErrorText('RATE_LIMITED', 75)).toBe('Too many attempts. Try again in 1 min 15 s.');
    expect(unlockErrorText('RATE_LIMITED', 0)).toBe('Too many attempts. Try again now.');
    expect(unlockErrorText(null, 3)).toBe('Too many attempts. Try again in 3 s.');
    expect(unlockErrorText(null, 0)).toBeNull();
    expect(formatWait(120)).toBe('2 min');
  });
});

describe('shortcuts', () => {
  const press = (over: Partial<KeyPress>): KeyPress => ({
    key: '',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    inTextField: false,
    dialogOpen: false,
    ...over,
  });

  it('maps Ctrl or Cmd shortcuts', () => {
    expect(matchShortcut(press({ key: 'l', ctrlKey: true }))).toBe('lock');
    expect(matchShortcut(press({ key: 'L', metaKey: true }))).toBe('lock');
    expect(matchShortcut(press({ key: 'n', ctrlKey: true }))).toBe('new-secret');
    expect(matchShortcut(press({ key: 'k', ctrlKey: true, inTextField: true }))).toBe('palette');
    expect(matchShortcut(press({ key: 'K', metaKey: true }))).toBe('palette');
    expect(matchShortcut(press({ key: 'n', ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(matchShortcut(press({ key: 'l' }))).toBeNull();
  });

  it('treats / as a character inside text fields', () => {
    expect(matchShortcut(press({ key: '/' }))).toBe('focus-search');
    expect(matchShortcut(press({ key: '/', inTextField: true }))).toBeNull();
  });

  it('only locks while a dialog is open', () => {
    expect(matchShortcut(press({ key: 'l', ctrlKey: true, dialogOpen: true }))).toBe('lock');
    expect(matchShortcut(press({ key: 'n', ctrlKey: true, dialogOpen: true }))).toBeNull();
    expect(matchShortcut(press({ key: '/', dialogOpen: true }))).toBeNull();
    expect(matchShortcut(press({ key: 'k', ctrlKey: true, dialogOpen: true }))).toBeNull();
  });
});

describe('audit helpers', () => {
  it('describes pages', () => {
    expect(pageInfo(0, 50, 120)).toEqual({ from: 1, to: 50, hasPrevious: false, hasNext: true });
    expect(pageInfo(100, 20, 120)).toEqual({ from: 101, to: 120, hasPrevious: true, hasNext: false });
    expect(pageInfo(0, 0, 0)).toEqual({ from: 0, to: 0, hasPrevious: false, hasNext: false });
  });

  it('describes a verification', () => {
    expect(describeVerification({ intact: true, checked: 12, firstBrokenSeq: null, problem: null, tamperedSecrets: [] })).toBe(
      'Chain intact: 12 entries checked.',
    );
    expect(describeVerification({ intact: false, checked: 12, firstBrokenSeq: 7, problem: 'hash mismatch', tamperedSecrets: [] })).toBe(
      'Chain broken at entry 7: hash mismatch (12 entries checked).',
    );
  });
});

describe('error messages', () => {
  it('tells the user to retry after a stale seal', () => {
    expect(describeError(new IpcCallError('secrets.create', { code: 'SEAL_INVALID', message: 'bad seal' }))).toMatch(/try again/i);
    expect(describeError(new IpcCallError('secrets.create', { code: 'INTERNAL', message: 'boom' }))).toBe('boom');
    expect(describeError('weird')).toBe('Something went wrong.');
  });
});
