/**
 * Progress and stopping of the long operations that run in main (backup
 * export and restore, bulk scope edits), against the real core and delegate:
 * each request's operation id tags its `operation.progress` events, and
 * `operations.cancel` stops it only at a safe point, leaving no partial
 * backup, an empty store, or whole batches edited.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { appEventSchema, sealBindings, sealValues, type OperationProgressEvent } from '../../src-shared/contract.js';
import { SCOPE_EDIT_BATCH } from '../../src-main/core/services/bulk-scope-edit.js';
import { call, callError, createVault, startCore, tempDir } from '../support/core-harness.js';

/** Enough for several backup parts (200 secrets each) and three scope-edit batches. */
const SECRETS = 1200;
const EXPORT_PASSPHRASE = 'export passphrase for progress';

describe('progress of long operations in main', () => {
  const dir = tempDir();
  let source: AppCore;
  let target: AppCore;
  let applicationId: string;
  let backup: string;

  const sealFor = async (core: AppCore, binding: ReturnType<typeof sealBindings.backupExport>) =>
    sealValues((await call(core, 'app.status', {})).delegatePublicKey!, binding, [EXPORT_PASSPHRASE]);

  /** Collects one operation's events; `onEvent` may act on each (to ask for a stop). */
  function watch(core: AppCore, operationId: string, onEvent: (event: OperationProgressEvent) => void = () => undefined) {
    const seen: OperationProgressEvent[] = [];
    const stop = core.onEvent((event) => {
      // Every event is what the renderer's schema accepts.
      const parsed = appEventSchema.parse(event);
      if (parsed.type !== 'operation.progress' || parsed.operationId !== operationId) return;
      seen.push(parsed);
      onEvent(parsed);
    });
    return { seen, stop };
  }

  const scopedTo = (core: AppCore) =>
    call(core, 'secrets.list', { applicationId, limit: 1 }).then((list) => list.total);

  beforeAll(async () => {
    source = await startCore(join(dir.path, 'source'));
    await createVault(source);
    applicationId = (await call(source, 'apps.create', { name: 'billing' })).id;
    const key = (await call(source, 'app.status', {})).delegatePublicKey!;
    for (let start = 0; start < SECRETS; start += 600) {
      const names = Array.from({ length: 600 }, (_, i) => `SECRET_${String(start + i).padStart(5, '0')}`);
      const sealedValues = await sealValues(key, sealBindings.secretCreate(names), names.map((name) => `value of ${name}`));
      await call(source, 'secrets.createMany', { items: names.map((name) => ({ name })), sealedValues });
    }
    target = await startCore(join(dir.path, 'target'));
    await createVault(target, 'another store passphrase');
  }, 300_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
    dir.remove();
  });

  it('reports an export secret by secret, tagged with its id, and ends complete', async () => {
    const operationId = randomUUID();
    const { seen, stop } = watch(source, operationId);
    const exported = await call(source, 'backup.export', { sealedPassphrase: await sealFor(source, sealBindings.backupExport()), operationId }).finally(stop);
    expect(exported.secrets).toBe(SECRETS);
    backup = exported.content;
    expect(seen.every((event) => event.operation === 'backup.export' && event.phase === 'exporting' && event.total === SECRETS && event.cancellable)).toBe(true);
    expect(seen[0]!.done).toBe(0);
    expect(seen.at(-1)!.done).toBe(SECRETS);
    // One step per part of 200: the bar moves while the export runs.
    expect(seen.length).toBeGreaterThanOrEqual(SECRETS / 200);
    const done = seen.map((event) => event.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  }, 300_000);

  it('stops an export when asked, returning no backup at all, and exports again afterwards', async () => {
    const operationId = randomUUID();
    let answer: Promise<{ stopping: boolean }> | undefined;
    const { stop } = watch(source, operationId, (event) => {
      if (event.done === 0) answer ??= call(source, 'operations.cancel', { operationId });
    });
    const error = await callError(source, 'backup.export', { sealedPassphrase: await sealFor(source, sealBindings.backupExport()), operationId }).finally(stop);
    expect(await answer).toEqual({ stopping: true });
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toContain('No file was written');
    // The operation is over: a late stop finds nothing to stop.
    expect(await call(source, 'operations.cancel', { operationId })).toEqual({ stopping: false });
    const again = await call(source, 'backup.export', { sealedPassphrase: await sealFor(source, sealBindings.backupExport()) });
    expect(again.secrets).toBe(SECRETS);
  }, 300_000);

  it('stops a restore while it decrypts, before anything is written, then restores', async () => {
    const stopped = randomUUID();
    const { stop: stopWatching } = watch(target, stopped, (event) => {
      if (event.phase === 'decrypting' && event.done === 1) void call(target, 'operations.cancel', { operationId: stopped });
    });
    const error = await callError(target, 'backup.restore', { sealedPassphrase: await sealFor(target, sealBindings.backupRestore()), content: backup, operationId: stopped }).finally(
      stopWatching,
    );
    expect(error.code).toBe('CANCELLED');
    expect((await call(target, 'secrets.list', { limit: 1 })).total).toBe(0);
    expect((await call(target, 'apps.list', {})).items).toEqual([]);

    const operationId = randomUUID();
    const { seen, stop } = watch(target, operationId);
    const report = await call(target, 'backup.restore', { sealedPassphrase: await sealFor(target, sealBindings.backupRestore()), content: backup, operationId }).finally(stop);
    expect(report.secrets).toBe(SECRETS);
    const decrypting = seen.filter((event) => event.phase === 'decrypting');
    const writing = seen.filter((event) => event.phase === 'writing');
    // The catalog part, then six parts of 200 secrets.
    expect(decrypting.map((event) => event.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(decrypting.every((event) => event.total === 7 && event.cancellable)).toBe(true);
    // The one write transaction cannot be stopped, and says so.
    expect(writing.map((event) => [event.done, event.total, event.cancellable])).toEqual([
      [0, SECRETS, false],
      [SECRETS, SECRETS, false],
    ]);
    expect(seen.indexOf(writing[0]!)).toBeGreaterThan(seen.indexOf(decrypting.at(-1)!));
  }, 300_000);

  it('edits the scope of every secret a filter matches, batch by batch', async () => {
    const operationId = randomUUID();
    const { seen, stop } = watch(source, operationId);
    const entry = { applicationId, environmentId: null, environmentType: null };
    const report = await call(source, 'secrets.scopeMany', { operationId, filter: { query: 'SECRET_' }, edit: { add: [entry] } }).finally(stop);
    expect(report).toEqual({ total: SECRETS, changed: SECRETS, unchanged: 0, failed: [], failedCount: 0, stopped: false });
    expect(seen.map((event) => event.done)).toEqual([0, 500, 1000, SECRETS]);
    expect(await scopedTo(source)).toBe(SECRETS);
    // The same edit again changes nothing.
    const again = await call(source, 'secrets.scopeMany', { operationId: randomUUID(), filter: { query: 'SECRET_' }, edit: { add: [entry] } });
    expect(again).toMatchObject({ changed: 0, unchanged: SECRETS });
  }, 300_000);

  it('stops a bulk edit between batches and says how many changed', async () => {
    const operationId = randomUUID();
    const entry = { applicationId, environmentId: null, environmentType: null };
    const ids = (await call(source, 'secrets.list', { query: 'SECRET_', limit: 500 })).items.map((item) => item.id);
    const more = (await call(source, 'secrets.list', { query: 'SECRET_', limit: 500, offset: 500 })).items.map((item) => item.id);
    const last = (await call(source, 'secrets.list', { query: 'SECRET_', limit: 500, offset: 1000 })).items.map((item) => item.id);
    const { stop } = watch(source, operationId, (event) => {
      if (event.done === SCOPE_EDIT_BATCH) void call(source, 'operations.cancel', { operationId });
    });
    const report = await call(source, 'secrets.scopeMany', { operationId, ids: [...ids, ...more, ...last], edit: { remove: [entry] } }).finally(stop);
    expect(report.stopped).toBe(true);
    // Whole batches only, and fewer than all of them.
    expect([SCOPE_EDIT_BATCH, 2 * SCOPE_EDIT_BATCH]).toContain(report.changed);
    expect(await scopedTo(source)).toBe(SECRETS - report.changed);
  }, 300_000);

  it('leaves as they were, and names, the secrets an edit would make wider than their manager', async () => {
    await call(source, 'managers.setScope', { id: 'local', scope: { scoped: true, entries: [{ applicationId, environmentId: null, environmentType: null }] } });
    try {
      const report = await call(source, 'secrets.scopeMany', { operationId: randomUUID(), filter: { query: 'SECRET_0000' }, edit: { unscoped: true } });
      // An unscoped secret would be wider than its manager: refused for each, written for none.
      expect(report.changed).toBe(0);
      expect(report.failedCount).toBe(report.total);
      expect(report.failed[0]!.reason).toContain('wider than the scope of the manager');
    } finally {
      await call(source, 'managers.setScope', { id: 'local', scope: { scoped: false }, narrowSecrets: false });
    }
  }, 300_000);

  it('refuses a bulk edit that names no secrets', async () => {
    const error = await callError(source, 'secrets.scopeMany', { operationId: randomUUID(), edit: { unscoped: true } });
    expect(error.code).toBe('INVALID_REQUEST');
  });
});
