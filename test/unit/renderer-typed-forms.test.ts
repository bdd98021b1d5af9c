import { describe, expect, it } from 'vitest';
import { UNSCOPED, type Application, type ImportParseResult, type SecretSummary } from '../../src-shared/contract.js';
import { IpcCallError } from '../../src-renderer/lib/errors.js';
import { buildPreview, chunk, importBatches, progressText } from '../../src-renderer/lib/import-preview.js';
import {
  changeRowApplication,
  describeRemovalReport,
  describeScope,
  draftFromScope,
  entryFromRow,
  environmentOptions,
  rowFromEntry,
  scopeFromDraft,
  shortScope,
} from '../../src-renderer/lib/scope.js';
import { payloadField, secretFieldsOf, secretSummaryLine, typedDetailRows } from '../../src-renderer/lib/secret-types.js';
import {
  base64ToBytes,
  buildTyped,
  bytesToBase64,
  checkFileSize,
  fieldOfIssuePath,
  initialTypedValues,
  sameMetadata,
  secretFieldsEntered,
  typedErrorsFromServer,
  typedValuesFrom,
  visibleFields,
  winrmPortAfterSslChange,
  type TypedValues,
} from '../../src-renderer/lib/typed-secret.js';

const values = (type: Parameters<typeof initialTypedValues>[0], patch: Partial<TypedValues>): TypedValues => ({ ...initialTypedValues(type), ...patch });

describe('structured secret forms → metadata and payload', () => {
  it('SSH with a key: metadata without secrets, the key and passphrase in the payload', () => {
    const built = buildTyped('ssh', values('ssh', { username: 'deploy', privateKey: 'KEY', keyPassphrase: 'pp', password: 'ignored' }));
    expect(built.errors).toEqual({});
    expect(built.metadata).toEqual({ username: 'deploy', auth: 'key', port: 22 });
    expect(JSON.parse(built.payload)).toEqual({ privateKey: 'KEY', keyPassphrase: 'pp' });
  });

  it('SSH with a password or a key path sends only what that choice uses', () => {
    const password = buildTyped('ssh', values('ssh', { username: 'root', auth: 'password', password: 'pw', privateKey: 'stale', port: '2222' }));
    expect(password.metadata).toEqual({ username: 'root', auth: 'password', port: 2222 });
    expect(JSON.parse(password.payload)).toEqual({ password: 'pw' });
    const path = buildTyped('ssh', values('ssh', { username: 'ops', auth: 'key-path', keyPath: '~/.ssh/id_ed25519' }));
    expect(path.errors).toEqual({});
    expect(path.metadata).toMatchObject({ keyPath: '~/.ssh/id_ed25519' });
    expect(JSON.parse(path.payload)).toEqual({});
  });

  it('puts the shared schemas’ and cross-field errors under their fields', () => {
    expect(buildTyped('ssh', values('ssh', { username: 'has space', auth: 'password', port: '70000' })).errors).toEqual({
      username: 'User name cannot contain spaces, :, @, / or \\',
      port: 'Port must be 1–65535',
      password: 'A password is required for password authentication',
    });
    expect(buildTyped('ssh', values('ssh', { username: 'a', port: 'abc' })).errors).toEqual({ port: 'Port must be 1–65535', privateKey: 'A private key is required' });
    expect(buildTyped('ssh', values('ssh', { username: 'a', auth: 'key-path', keyPath: 'relative' })).errors.keyPath).toBe('Use an absolute path on this machine');
    expect(buildTyped('ssh-kerberos', values('ssh-kerberos', { principal: 'a@B', realm: '', tgtSource: 'password' })).errors).toEqual({
      principal: 'Give the principal without @REALM',
      realm: 'Realm is required',
      password: 'A password is required to obtain a ticket',
    });
    expect(buildTyped('ssh-vault-certificate', values('ssh-vault-certificate', { username: 'u' })).errors).toEqual({
      privateKey: 'A private key is required',
      role: 'Role is required',
    });
  });

  it('Kerberos, Vault and WinRM metadata', () => {
    const krb = buildTyped('ssh-kerberos', values('ssh-kerberos', { principal: 'alice', realm: 'EX.TEST', kdc: ' kdc:88 ', keytabPath: '/k.keytab' }));
    expect(krb.metadata).toEqual({ principal: 'alice', realm: 'EX.TEST', kdc: 'kdc:88', tgtSource: 'keytab', keytabPath: '/k.keytab', port: 22 });
    const vault = buildTyped('ssh-vault-certificate', values('ssh-vault-certificate', { username: 'u', role: 'r', privateKey: 'K' }));
    expect(vault.metadata).toEqual({ username: 'u', vaultManagerId: null, mount: 'ssh-client-signer', role: 'r', port: 22 });
    const win = buildTyped('winrm', values('winrm', { username: 'admin', auth: 'kerberos', kerberosSource: 'keytab', keytabPath: '/w.keytab', realm: 'CORP.TEST' }));
    expect(win.errors).toEqual({});
    expect(win.metadata).toEqual({
      domain: '', username: 'admin', auth: 'kerberos', kerberosSource: 'keytab', realm: 'CORP.TEST', keytabPath: '/w.keytab',
      useSsl: false, skipCertCheck: false, useNoProfile: false, allowBasicOverHttp: false, port: 5985,
    });
    expect(JSON.parse(win.payload)).toEqual({});
    expect(buildTyped('winrm', values('winrm', { username: 'a', auth: 'kerberos' })).errors).toEqual({ realm: 'Realm is required', password: 'A password is required' });
  });

  it('files: a chosen file is required and over 10 MiB is refused before reading', () => {
    expect(buildTyped('file', initialTypedValues('file')).errors).toEqual({ file: 'Choose a file' });
    const file = { fileName: 'a.p12', mediaType: 'application/x-pkcs12', size: 3, contentBase64: bytesToBase64(new Uint8Array([0, 255, 7])) };
    const built = buildTyped('file', values('file', { file }));
    expect(built.errors).toEqual({});
    expect(built.metadata).toEqual({ fileName: 'a.p12', mediaType: 'application/x-pkcs12', size: 3 });
    expect([...base64ToBytes(JSON.parse(built.payload).contentBase64)]).toEqual([0, 255, 7]);
    expect(checkFileSize(10 * 1024 * 1024)).toBeNull();
    expect(checkFileSize(10 * 1024 * 1024 + 1)).toBe('This file is 10.0 MiB (10,485,761 bytes); files are limited to 10 MiB');
  });

  it('shows the fields each choice needs', () => {
    expect(visibleFields('ssh', values('ssh', { auth: 'password' }))).toEqual(['username', 'auth', 'password', 'port']);
    expect(visibleFields('winrm', values('winrm', { auth: 'kerberos', kerberosSource: 'keytab' }))).toContain('keytabPath');
    expect(visibleFields('winrm', values('winrm', { auth: 'ntlm' }))).not.toContain('realm');
  });

  it('maps main’s and the delegate’s issue paths onto fields', () => {
    expect(fieldOfIssuePath('metadata.port')).toBe('port');
    expect(fieldOfIssuePath('privateKey')).toBe('privateKey');
    expect(fieldOfIssuePath('metadata.size')).toBe('file');
    expect(fieldOfIssuePath('payload')).toBeNull();
    const err = new IpcCallError('secrets.create', {
      code: 'INVALID_REQUEST',
      message: 'bad',
      issues: [{ path: 'keyPassphrase', message: 'Wrong passphrase for this key' }, { path: 'name', message: 'Bad name' }, { path: 'payload', message: 'not JSON' }],
    });
    expect(typedErrorsFromServer(err)).toEqual({ keyPassphrase: 'Wrong passphrase for this key', name: 'Bad name', form: 'payload: not JSON' });
    expect(typedErrorsFromServer(new IpcCallError('secrets.create', { code: 'NAME_TAKEN', message: 'A secret named "db" already exists.' }))).toEqual({ name: 'A secret named "db" already exists.' });
  });

  it('edits: prefilled from metadata, secret fields empty, and a change is detected whatever the key order', () => {
    const stored: SecretSummary = {
      id: '00000000-0000-4000-8000-000000000001', name: 'w', description: null, type: 'winrm', facts: {}, managerId: 'local', reference: null, remoteLocation: null, scope: UNSCOPED, version: 1,
      createdAt: '', updatedAt: '',
      metadata: { domain: 'CORP', username: 'admin', auth: 'ntlm', useSsl: true, skipCertCheck: false, useNoProfile: false, allowBasicOverHttp: false, port: 5986 },
    };
    const form = typedValuesFrom(stored);
    expect(form).toMatchObject({ domain: 'CORP', username: 'admin', useSsl: true, port: '5986', portEdited: false, password: '' });
    expect(secretFieldsEntered(form)).toBe(false);
    expect(sameMetadata(buildTyped('winrm', form).metadata, stored.metadata)).toBe(true);
    expect(sameMetadata(buildTyped('winrm', { ...form, username: 'other' }).metadata, stored.metadata)).toBe(false);
    expect(typedValuesFrom({ ...stored, metadata: { ...stored.metadata, port: 8443 } }).portEdited).toBe(true);
  });
});

describe('WinRM port follows "Use SSL" unless set by hand', () => {
  it.each([
    ['default port, SSL on', { port: '5985', portEdited: false }, true, { port: '5986', portEdited: false }],
    ['default port, SSL off', { port: '5986', portEdited: false }, false, { port: '5985', portEdited: false }],
    ['typed port stays', { port: '8080', portEdited: true }, true, { port: '8080', portEdited: true }],
    ['typed the old default: still follows', { port: '5985', portEdited: true }, true, { port: '5986', portEdited: false }],
    ['typed the new default already', { port: '5986', portEdited: true }, true, { port: '5986', portEdited: true }],
  ])('%s', (_name, before, useSsl, after) => {
    expect(winrmPortAfterSslChange(before, useSsl)).toEqual(after);
  });
});

const apps: Application[] = [
  {
    id: '00000000-0000-4000-8000-00000000000a',
    name: 'billing',
    environments: [
      { id: '00000000-0000-4000-8000-0000000000e1', name: 'prod', type: 'production' },
      { id: '00000000-0000-4000-8000-0000000000e2', name: 'qa', type: 'non-production' },
    ],
  },
];
const [billing] = apps;

describe('scope editor', () => {
  it('turns rows into entries and back', () => {
    const rows = [
      { applicationId: billing!.id, environment: 'type:production' as const },
      { applicationId: null, environment: 'all' as const },
      { applicationId: billing!.id, environment: `env:${billing!.environments[1]!.id}` as const },
      { applicationId: null, environment: 'all' as const },
    ];
    const scope = scopeFromDraft({ scoped: true, scopeToAccount: true, rows });
    expect(scope.entries).toEqual([
      { applicationId: billing!.id, environmentId: null, environmentType: 'production' },
      { applicationId: null, environmentId: null, environmentType: null },
      { applicationId: billing!.id, environmentId: billing!.environments[1]!.id, environmentType: null },
    ]);
    expect(scope.entries.map(rowFromEntry).map(entryFromRow)).toEqual(scope.entries);
    expect(draftFromScope(scope).rows).toHaveLength(3);
    expect(scopeFromDraft({ scoped: false, scopeToAccount: true, rows })).toEqual(UNSCOPED);
  });

  it('offers an application’s own environments, and forgets one when the application changes', () => {
    expect(environmentOptions(null, apps).map((option) => option.label)).toEqual(['All environments', 'Production', 'Non-Production']);
    expect(environmentOptions(billing!.id, apps).map((option) => option.label)).toContain('qa (Non-Production)');
    expect(changeRowApplication({ applicationId: billing!.id, environment: 'env:x' }, null)).toEqual({ applicationId: null, environment: 'all' });
    expect(changeRowApplication({ applicationId: billing!.id, environment: 'type:production' }, null).environment).toBe('type:production');
  });

  it('summarises what a scope allows', () => {
    expect(describeScope(UNSCOPED, apps)).toBe('Unscoped: usable by any application, and outside applications.');
    expect(describeScope({ scoped: true, scopeToAccount: false, entries: [] }, apps)).toBe('Usable by no application until entries are added.');
    expect(describeScope({ scoped: true, scopeToAccount: true, entries: [] }, apps)).toBe('Usable only outside applications (account level).');
    const scope = {
      scoped: true,
      scopeToAccount: true,
      entries: [
        { applicationId: billing!.id, environmentId: billing!.environments[0]!.id, environmentType: null },
        { applicationId: null, environmentId: null, environmentType: 'non-production' as const },
        { applicationId: '00000000-0000-4000-8000-0000000000ff', environmentId: null, environmentType: null },
      ],
    };
    expect(describeScope(scope, apps)).toBe(
      'Usable by billing · prod; All applications · Non-Production; (deleted application) · all environments; and outside applications (account level).',
    );
    expect(shortScope(scope, apps)).toBe('billing · prod; All applications · Non-Production; (deleted application) · all environments + account');
    expect(shortScope(UNSCOPED, apps)).toBe('Unscoped');
  });

  it('says what deleting an application or environment did', () => {
    expect(describeRemovalReport({ affectedSecrets: [], nowUnusable: [] })).toEqual(['No secret’s scope named it, so no secret changed.']);
    expect(describeRemovalReport({ affectedSecrets: ['a', 'b'], nowUnusable: ['b'] })).toEqual([
      '2 secrets lost scope entries: a, b.',
      'These are now usable by no application: b. Edit their scope to use them again.',
    ]);
  });
});

describe('list rows and detail per type', () => {
  const base = { description: null, facts: {} };
  it('gives each type its one-line summary', () => {
    expect(secretSummaryLine({ ...base, type: 'text', description: 'Primary', metadata: {} })).toBe('Primary');
    expect(secretSummaryLine({ ...base, type: 'file', metadata: { fileName: 'a.p12', size: 2048 }, facts: { size: 2048 } })).toBe('a.p12 · 2.0 KiB');
    expect(secretSummaryLine({ ...base, type: 'ssh', metadata: { username: 'deploy', auth: 'key', port: 22 }, facts: { keyType: 'ssh-ed25519' } })).toBe('deploy · port 22 · ssh-ed25519');
    expect(secretSummaryLine({ ...base, type: 'ssh-kerberos', metadata: { principal: 'alice', realm: 'EX', port: 22 } })).toBe('alice@EX · port 22');
    expect(secretSummaryLine({ ...base, type: 'winrm', metadata: { domain: 'CORP', username: 'admin', auth: 'ntlm', useSsl: true, port: 5986 } })).toBe('CORP\\admin · port 5986 · NTLM · SSL');
  });

  it('lists the secret fields each stored secret has, revealed one at a time', () => {
    expect(secretFieldsOf('ssh', { auth: 'key' }).map((f) => f.key)).toEqual(['privateKey', 'keyPassphrase']);
    expect(secretFieldsOf('ssh-kerberos', { tgtSource: 'keytab' })).toEqual([]);
    expect(secretFieldsOf('winrm', { auth: 'kerberos', kerberosSource: 'keytab' })).toEqual([]);
    expect(payloadField('{"password":"pw"}', 'password')).toBe('pw');
    expect(payloadField('not json', 'password')).toBe('');
  });

  it('labels metadata and facts readably', () => {
    expect(typedDetailRows('ssh', { username: 'deploy', auth: 'key-path', port: 22 }, { keyType: 'ssh-rsa', fingerprint: 'SHA256:x' })).toEqual([
      { label: 'User name', value: 'deploy' },
      { label: 'Authentication', value: 'Key path on this machine' },
      { label: 'Port', value: '22' },
      { label: 'Key type', value: 'ssh-rsa' },
      { label: 'Fingerprint', value: 'SHA256:x' },
    ]);
    expect(typedDetailRows('file', { fileName: 'a', size: 5 }, { size: 5 })).toEqual([
      { label: 'File name', value: 'a' },
      { label: 'Size', value: '5 B' },
    ]);
  });
});

describe('import preview', () => {
  const parsed: ImportParseResult = { items: [{ name: 'A', value: 'xyz' }, { name: 'b', value: '', description: 'd' }], problems: [] };
  it('shows every row and refuses to start when a name is taken', () => {
    const preview = buildPreview(parsed, ['B']);
    expect(preview.rows).toEqual([
      { name: 'A', description: '', valueChars: 3, status: 'new' },
      { name: 'b', description: 'd', valueChars: 0, status: 'taken' },
    ]);
    expect(preview.canImport).toBe(false);
    expect(preview.blocker).toMatch(/^This name is already in use: B\. .*Nothing was written\.$/);
    expect(buildPreview(parsed, []).canImport).toBe(true);
  });

  it('refuses a file with problems or no secrets', () => {
    const withProblem = buildPreview({ items: [], problems: [{ line: 3, message: 'Expected NAME=value' }] }, []);
    expect(withProblem.problems).toEqual(['Line 3: Expected NAME=value']);
    expect(withProblem.canImport).toBe(false);
    expect(buildPreview({ items: [], problems: [] }, []).blocker).toBe('The file holds no secrets.');
  });

  it('imports in sealed batches of at most 1000', () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ name: `n${i}`, value: 'v' }));
    expect(importBatches(items).map((batch) => batch.length)).toEqual([1000, 1000, 500]);
    expect(chunk([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(progressText(1000, 2500)).toBe('Imported 1,000 of 2,500');
  });
});
