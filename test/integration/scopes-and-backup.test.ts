/** Applications, environments and usage scopes enforced by resolve(); encrypted backups. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { createSealRecipient, sealBindings, sealValues, type ScopeEntry } from '../../src-shared/contract.js';
import { call, callError, createSecret, createVault, reveal, startCore, tempDir } from '../support/core-harness.js';

describe('usage scopes through the core', () => {
  const dir = tempDir();
  let desktop: AppCore;
  let cli: AppCore;
  const ids = {} as Record<'billing' | 'web' | 'billingProd' | 'billingQa' | 'webProd' | 'open' | 'billingOnly' | 'accountWide', string>;
  const entry = (applicationId: string | null, environment: { id?: string; type?: 'production' | 'non-production' } = {}): ScopeEntry => ({
    applicationId,
    environmentId: environment.id ?? null,
    environmentType: environment.type ?? null,
  });
  const cliReveal = async (id: string, consumer?: { application: string; environment: string }) => {
    const recipient = await createSealRecipient();
    return cli.handle('secrets.reveal', { id, consumer, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
  };

  beforeAll(async () => {
    desktop = await startCore(join(dir.path, 'store'));
    await createVault(desktop);
    const billing = await call(desktop, 'apps.create', { name: 'billing' });
    const web = await call(desktop, 'apps.create', { name: 'web' });
    ids.billing = billing.id;
    ids.web = web.id;
    ids.billingProd = (await call(desktop, 'envs.create', { applicationId: billing.id, name: 'prod', type: 'production' })).id;
    ids.billingQa = (await call(desktop, 'envs.create', { applicationId: billing.id, name: 'qa', type: 'non-production' })).id;
    ids.webProd = (await call(desktop, 'envs.create', { applicationId: web.id, name: 'prod', type: 'production' })).id;
    ids.open = (await createSecret(desktop, 'open_secret', 'anyone')).id;
    ids.billingOnly = (await createSecret(desktop, 'billing_prod_db', 'billing prod')).id;
    await call(desktop, 'secrets.setScope', { id: ids.billingOnly, scope: { scoped: true, entries: [entry(ids.billing, { type: 'production' })] } });
    ids.accountWide = (await createSecret(desktop, 'account_token', 'account')).id;
    await call(desktop, 'secrets.setScope', { id: ids.accountWide, scope: { scoped: true, scopeToAccount: true, entries: [entry(ids.web)] } });
    // The CLI is a consumer of the same store: its own core, its own delegate.
    cli = await startCore(join(dir.path, 'store'), { actor: 'cli' });
    const { sealedUnlock } = await import('../support/core-harness.js');
    await call(cli, 'vault.unlock', await sealedUnlock(cli));
  });
  afterAll(async () => {
    await cli?.close();
    await desktop?.close();
    dir.remove();
  });

  it('lists applications with their typed environments; names are unique', async () => {
    const { items } = await call(desktop, 'apps.list', {});
    expect(items.map((app) => [app.name, app.environments.map((env) => `${env.name}:${env.type}`)])).toEqual([
      ['billing', ['prod:production', 'qa:non-production']],
      ['web', ['prod:production']],
    ]);
    expect((await callError(desktop, 'apps.create', { name: 'BILLING' })).code).toBe('NAME_TAKEN');
    expect((await callError(desktop, 'envs.create', { applicationId: ids.billing, name: 'QA', type: 'production' })).code).toBe('NAME_TAKEN');
  });

  it.each([
    ['an unscoped secret, at account level', 'open', undefined, true],
    ['an unscoped secret, for any consumer', 'open', { application: 'web', environment: 'prod' }, true],
    ['a scoped secret, for a covered consumer', 'billingOnly', { application: 'billing', environment: 'prod' }, true],
    ['a scoped secret, for the wrong environment type', 'billingOnly', { application: 'billing', environment: 'qa' }, false],
    ['a scoped secret, for another application', 'billingOnly', { application: 'web', environment: 'prod' }, false],
    ['a scoped secret, at account level', 'billingOnly', undefined, false],
    ['an account-scoped secret, at account level', 'accountWide', undefined, true],
    ['an account-scoped secret, for its application', 'accountWide', { application: 'web', environment: 'prod' }, true],
    ['an account-scoped secret, for another application', 'accountWide', { application: 'billing', environment: 'prod' }, false],
  ] as const)('resolve: %s → %s', async (_name, key, consumer, allowed) => {
    const result = await cliReveal(ids[key], consumer);
    if (allowed) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, error: { code: 'SCOPE_DENIED' } });
  });

  it('names the scope in a refusal and audits every decision with the consumer', async () => {
    const refused = await cliReveal(ids.billingOnly!, { application: 'web', environment: 'prod' });
    expect(refused.ok ? '' : refused.error.message).toContain('application "web", environment "prod"');
    const unknown = await cliReveal(ids.open!, { application: 'nope', environment: 'prod' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'SCOPE_DENIED', message: 'No application named "nope".' } });
    const { items } = await call(desktop, 'audit.list', { limit: 50 });
    const resolves = items.filter((item) => item.action === 'secret.resolve');
    expect(resolves.some((item) => item.outcome === 'failure' && item.detail === 'consumer web/prod' && item.target === 'billing_prod_db')).toBe(true);
    // The CLI is named with its process id (this core runs in the test's process).
    expect(resolves.some((item) => item.outcome === 'success' && item.actor === `cli:${process.pid}`)).toBe(true);

    // The trail filters by actor, action, target text and time, in main.
    const byCli = await call(desktop, 'audit.list', { limit: 500, actor: 'cli', action: 'secret.resolve', target: 'PROD' });
    expect(byCli.items.length).toBeGreaterThan(0);
    expect(byCli.items.every((item) => item.actor === `cli:${process.pid}` && item.action === 'secret.resolve' && item.target?.includes('prod'))).toBe(true);
    expect(byCli.total).toBe(byCli.items.length);
    const later = await call(desktop, 'audit.list', { limit: 500, since: new Date(Date.now() + 60_000).toISOString() });
    expect(later).toEqual({ total: 0, items: [] });
  });

  it('filters the list by application and by environment', async () => {
    const byApp = await call(desktop, 'secrets.list', { applicationId: ids.billing });
    expect(byApp.items.map((item) => item.name)).toEqual(['billing_prod_db']);
    const byEnv = await call(desktop, 'secrets.list', { environmentId: ids.webProd });
    expect(byEnv.items.map((item) => item.name)).toEqual(['account_token']);
  });

  it('rejects an entry naming an environment of another application', async () => {
    const error = await callError(desktop, 'secrets.setScope', { id: ids.open, scope: { scoped: true, entries: [entry(ids.web, { id: ids.billingProd })] } });
    expect(error.code).toBe('INVALID_REQUEST');
  });

  it('never widens a scope when an environment or application is deleted, and says what happened', async () => {
    const narrow = await createSecret(desktop, 'qa_only', 'qa');
    await call(desktop, 'secrets.setScope', { id: narrow.id, scope: { scoped: true, entries: [entry(ids.billing, { id: ids.billingQa })] } });
    const report = await call(desktop, 'envs.delete', { id: ids.billingQa });
    expect(report).toEqual({ affectedSecrets: ['qa_only'], nowUnusable: ['qa_only'] });
    const after = await call(desktop, 'secrets.get', { id: narrow.id });
    expect(after.scope).toEqual({ scoped: true, scopeToAccount: false, entries: [] });
    expect(await cliReveal(narrow.id)).toMatchObject({ ok: false, error: { code: 'SCOPE_DENIED' } });
    expect(await cliReveal(narrow.id, { application: 'billing', environment: 'prod' })).toMatchObject({ ok: false });
    // The desktop app is the admin's console: it still reveals, so the admin can fix the scope.
    expect(await reveal(desktop, narrow.id)).toBe('qa');

    const appReport = await call(desktop, 'apps.delete', { id: ids.billing });
    expect(appReport.affectedSecrets).toEqual(['billing_prod_db']);
    expect(appReport.nowUnusable).toEqual(['billing_prod_db']);
    const audit = await call(desktop, 'audit.list', { limit: 3 });
    expect(audit.items[0]).toMatchObject({ action: 'app.delete', target: 'billing' });
  });

  it('keeps a secret inside its manager: narrow the secrets, or cancel', async () => {
    const [local] = (await call(desktop, 'managers.list', {})).items;
    expect(local).toMatchObject({ id: 'local', isDefault: true, scope: { scoped: false } });
    const webOnly = { scoped: true, scopeToAccount: false, entries: [entry(ids.web, { type: 'production' })] };
    const conflict = await callError(desktop, 'managers.setScope', { id: 'local', scope: webOnly });
    expect(conflict.code).toBe('SCOPE_CONFLICT');
    expect(conflict.conflicts).toEqual(expect.arrayContaining(['open_secret', 'account_token']));
    expect((await call(desktop, 'managers.list', {})).items[0]!.scope.scoped).toBe(false);

    const { narrowed } = await call(desktop, 'managers.setScope', { id: 'local', scope: webOnly, narrowSecrets: true });
    expect(narrowed).toEqual(expect.arrayContaining(['open_secret', 'account_token']));
    const open = await call(desktop, 'secrets.get', { id: ids.open! });
    expect(open.scope).toEqual(webOnly);
    const token = await call(desktop, 'secrets.get', { id: ids.accountWide! });
    expect(token.scope).toEqual({ scoped: true, scopeToAccount: false, entries: [entry(ids.web, { type: 'production' })] });
    // A secret's scope can no longer be set wider than its manager's.
    const wider = await callError(desktop, 'secrets.setScope', { id: ids.open, scope: { scoped: false } });
    expect(wider.code).toBe('INVALID_REQUEST');
    await call(desktop, 'managers.setScope', { id: 'local', scope: { scoped: false } });
  });
});

describe('encrypted backups', () => {
  const dir = tempDir();
  let source: AppCore;
  let target: AppCore;
  let backup: string;

  const sealFor = async (core: AppCore, binding: ReturnType<typeof sealBindings.backupExport>, passphrase: string) =>
    sealValues((await call(core, 'app.status', {})).delegatePublicKey!, binding, [passphrase]);

  beforeAll(async () => {
    source = await startCore(join(dir.path, 'source'));
    await createVault(source);
    const app = await call(source, 'apps.create', { name: 'payments' });
    const env = await call(source, 'envs.create', { applicationId: app.id, name: 'live', type: 'production' });
    const a = await createSecret(source, 'alpha', 'first value', 'described');
    const { updateValue } = await import('../support/core-harness.js');
    await updateValue(source, a.id, 'second value');
    const b = await createSecret(source, 'beta', 'multi\nline');
    await call(source, 'secrets.setScope', { id: b.id, scope: { scoped: true, entries: [{ applicationId: app.id, environmentId: env.id, environmentType: null }] } });
    target = await startCore(join(dir.path, 'target'));
    await createVault(target, 'a different store passphrase');
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    dir.remove();
  });

  it('exports the whole store as ciphertext under an export passphrase', async () => {
    const exported = await call(source, 'backup.export', { sealedPassphrase: await sealFor(source, sealBindings.backupExport(), 'export passphrase 1') });
    expect(exported.secrets).toBe(2);
    expect(exported.fileName).toMatch(/^strongroom-\d{8}-\d{6}\.srbackup$/);
    backup = exported.content;
    expect(backup).not.toContain('first value');
    expect(backup).not.toContain('alpha');
    expect(JSON.parse(backup.split('\n')[0]!)).toMatchObject({ format: 'strongroom-backup', version: 1 });
  });

  it('refuses a wrong export passphrase cleanly and writes nothing', async () => {
    const error = await callError(target, 'backup.restore', { sealedPassphrase: await sealFor(target, sealBindings.backupRestore(), 'not the export passphrase'), content: backup });
    expect(error.code).toBe('WRONG_PASSPHRASE');
    expect((await call(target, 'secrets.list', {})).total).toBe(0);
  });

  it('refuses a truncated or reordered backup and writes nothing', async () => {
    const lines = backup.trim().split('\n');
    const truncated = [...lines.slice(0, -2), lines[lines.length - 1]].join('\n');
    const error = await callError(target, 'backup.restore', { sealedPassphrase: await sealFor(target, sealBindings.backupRestore(), 'export passphrase 1'), content: truncated });
    expect(error.code).toBe('TAMPERED');
    expect((await call(target, 'secrets.list', {})).total).toBe(0);
  });

  it('restores into an empty store with a report: values, versions, applications and scopes', async () => {
    const report = await call(target, 'backup.restore', { sealedPassphrase: await sealFor(target, sealBindings.backupRestore(), 'export passphrase 1'), content: backup });
    expect(report).toEqual({ secrets: 2, versions: 3, applications: 1, environments: 1, skipped: [] });
    const { items } = await call(target, 'secrets.list', {});
    expect(items.map((item) => [item.name, item.version, item.description])).toEqual([
      ['alpha', 2, 'described'],
      ['beta', 1, null],
    ]);
    expect(await reveal(target, items[0]!.id)).toBe('second value');
    expect(await reveal(target, items[1]!.id)).toBe('multi\nline');
    expect(items[1]!.scope.entries).toHaveLength(1);
    expect(await call(target, 'audit.verify', {})).toMatchObject({ intact: true });
  });

  it('refuses to restore into a store that is not empty', async () => {
    const error = await callError(target, 'backup.restore', { sealedPassphrase: await sealFor(target, sealBindings.backupRestore(), 'export passphrase 1'), content: backup });
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('empty store') });
  });
});
