/**
 * The composition root of the Electron-free main process. The Electron shell,
 * the loopback bridge and the CLI all drive Strongroom through this one object.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRouter } from '../ipc/router.js';
import { SEAL_SUITE, type AppEvent, type AuditAction, type ScopeRemovalReport } from '../../src-shared/contract.js';
import type { AppCore, AppCoreOptions } from './app-core-types.js';
import { AppError, toAppError } from './app-error.js';
import { forkDelegate } from './delegate/node-delegate-channel.js';
import { DelegateSupervisor } from './delegate/supervisor.js';
import { createFileLogger } from './logging/logger.js';
import { openDatabase } from './store/database.js';
import { inTransaction } from './store/prepared.js';
import { AuditLog, auditActor } from './services/audit-log.js';
import { RowIntegrity } from './services/row-integrity.js';
import { MetaStore } from './services/meta-store.js';
import { SecretsService } from './services/secrets-service.js';
import { CatalogService } from './services/catalog-service.js';
import { ManagersService } from './services/managers-service.js';
import { BackupService } from './services/backup-service.js';
import { BulkScopeEdit } from './services/bulk-scope-edit.js';
import { OperationTracker } from './services/operation-tracker.js';
import { ConnectionTestService } from './services/connection-test-service.js';
import { VaultService } from './services/vault-service.js';
import { StoreIntegrity } from './services/store-integrity.js';
import { IdleTimer } from './idle-timer.js';
import { RemoteWriteJournal } from './services/remote-writes.js';
import { systemClock } from './clock.js';
import { isCliRequest, runAsActor } from './request-actor.js';
import { MigrationService } from './migration/migration-service.js';
import { KeyringRotation } from './migration/keyring-rotation.js';
import { KmsRewrap } from './migration/kms-rewrap.js';
import { SavedSearches } from './services/saved-searches.js';
import { KeyWorkResumer } from './migration/key-work-resume.js';
import { KeyWorkStatus } from './migration/key-work-status.js';

export type { AppCore, AppCoreOptions } from './app-core-types.js';

/** dist/main/*.js sits beside dist/delegate/main.js once built. */
export function defaultDelegateEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'delegate', 'main.js');
}

export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const clock = options.clock ?? systemClock;
  const logDir = join(options.dataDir, 'logs');
  const db = openDatabase(options.dataDir);
  const logger = createFileLogger(logDir, options.actor);
  const listeners = new Set<(event: AppEvent) => void>();
  const emit = (event: AppEvent) => listeners.forEach((listener) => listener(event));

  // Assigned below; the supervisor's restart callback needs the vault.
  let vault: VaultService | null = null;
  const delegate = new DelegateSupervisor({
    spawn: options.spawnDelegate ?? forkDelegate,
    entry: options.delegateEntry ?? defaultDelegateEntry(),
    logDir,
    logger,
    timeoutMs: options.delegateTimeoutMs ?? 30_000,
    onTraffic: options.onDelegateTraffic,
    onEvent: (event) => emit({ type: 'connection.stage', testId: event.testId, stage: event.stage }),
    onRestart: () => {
      if (vault?.unlocked) {
        vault.markLocked();
        emit({ type: 'vault.locked', reason: 'delegate-restarted' });
      }
    },
  });
  const meta = new MetaStore(db);
  const audit = new AuditLog(db, delegate);
  const actor = auditActor(options.actor, process.pid);
  vault = new VaultService(db, meta, delegate, audit, actor, clock);
  const integrity = new StoreIntegrity(db, meta, audit, actor, clock);
  const catalog = new CatalogService(db);
  const savedSearches = new SavedSearches(db, audit, actor);
  const remoteWrites = new RemoteWriteJournal(db);
  const rows = new RowIntegrity(db, delegate, audit);
  const managers = new ManagersService(db, catalog, audit, actor, delegate, vault, rows);
  const secrets = new SecretsService(db, delegate, vault, audit, catalog, actor, managers, rows, (error) =>
    logger.log('error', 'building the search index failed', { error: String(error) }),
    () => emit({ type: 'secrets.indexed' }),
    options.searchIndex ?? options.actor !== 'cli',
  );
  const backups = new BackupService(db, delegate, vault, secrets, catalog, audit, actor);
  const bulkScopes = new BulkScopeEdit(db, secrets);
  const operations = new OperationTracker(emit);
  const connections = new ConnectionTestService(db, delegate, vault, secrets, audit, actor, managers);
  // The search index exists only while the store is unlocked; built in slices from the unlock on, while main keeps answering.
  listeners.add((event) => {
    if (event.type === 'vault.locked') secrets.closeSearchIndex();
    if (event.type === 'vault.unlocked') secrets.openSearchIndex();
  });
  const migrations = new MigrationService(db, delegate, vault, secrets, managers, catalog, audit, actor, emit);
  /**
   * Work that follows an unlock, started once the unlock's own answer is out. A core closed in between
   * (a test, a quick quit) has no store left to work on, so the work is skipped rather than failing unheard.
   */
  const afterEachUnlock = (what: string, work: () => Promise<unknown>) =>
    listeners.add((event) => {
      if (event.type !== 'vault.unlocked') return;
      setImmediate(() => {
        if (!db.open) return;
        work().catch((error: unknown) => logger.log('error', `${what} failed`, { error: String(error) }));
      });
    });
  // The app (not a command, which ends when its work does) resumes migrations an earlier start left interrupted.
  if (options.actor !== 'cli') afterEachUnlock('resuming interrupted migrations', () => migrations.resumeInterrupted());
  const rotation = new KeyringRotation(db, delegate, vault, meta, audit, actor, emit);
  const kmsRewrap = new KmsRewrap(db, delegate, vault, managers, meta, audit, actor, emit);
  const keyWork = new KeyWorkStatus(db, emit);
  listeners.add((event) => keyWork.observe(event));
  if (options.resumeKeyWork ?? options.actor !== 'cli') {
    const resumer = new KeyWorkResumer(rotation, kmsRewrap, keyWork, emit, (message, error) => logger.log('error', message, { error: String(error) }));
    afterEachUnlock('resuming interrupted key work', () => resumer.resumeInterrupted());
  }
  const theVault = vault;
  /** Records a catalog change and seals it, in the same way every service does. */
  const recorded = async <T>(action: AuditAction, target: string, detail: string | null, change: () => T): Promise<T> => {
    theVault.requireUnlocked();
    // One transaction, so a change the trail refuses to record is not made either.
    const result = inTransaction(db, () => {
      const changed = change();
      audit.append({ actor, action, target, outcome: 'success', detail });
      return changed;
    });
    await audit.sealPending();
    return result;
  };
  const removalDetail = (report: ScopeRemovalReport) =>
    report.affectedSecrets.length
      ? `${report.affectedSecrets.length} secret(s) lost scope entries; ${report.nowUnusable.length} now usable by no consumer`
      : null;
  /**
   * Deletes an application or environment: the scope entries naming it go, and the rows
   * of the secrets that had them are resealed (their MACs cover the scope) in the same
   * transaction as the delete and its audit entry.
   */
  const deleteScopeOwner = async (owner: 'application' | 'environment', id: string, action: AuditAction, remove: () => { name: string; report: ScopeRemovalReport }) => {
    theVault.requireUnlocked();
    const seals = await rows.seal(rows.plannedWithoutEntriesNaming(owner, id));
    const report = inTransaction(db, () => {
      const { name, report } = remove();
      rows.store(seals);
      audit.append({ actor, action, target: name, outcome: 'success', detail: removalDetail(report) });
      return report;
    });
    await audit.sealPending();
    return report;
  };

  const idle = new IdleTimer(
    clock,
    () => theVault.settings().autoLockMinutes * 60_000,
    () => {
      theVault.lockIfUnlocked('idle').then(
        (locked) => locked && emit({ type: 'vault.locked', reason: 'idle' }),
        (error: unknown) => logger.log('error', 'auto-lock failed', { error: String(error) }),
      );
    },
  );

  const route = createRouter(
    {
      'app.status': async () => {
        // A restarting delegate has no sealing key yet, and one being replaced by a lock has a key about to go: wait for the new one.
        await theVault.settled();
        await delegate.start().catch(() => undefined);
        return {
          initialized: theVault.initialized,
          unlocked: theVault.unlocked,
          delegatePublicKey: delegate.publicKey,
          sealSuite: SEAL_SUITE,
          settings: theVault.settings(),
          unlockRetryAfterMs: theVault.retryAfterMs(),
          storeCheck: integrity.last(),
        };
      },
      'vault.create': async ({ sealedPassphrase }) => {
        await theVault.create(sealedPassphrase);
        await rows.authenticateExisting(actor);
        idle.reset();
        emit({ type: 'vault.unlocked' });
        return {};
      },
      'vault.unlock': async ({ sealedPassphrase }) => {
        await theVault.unlock(sealedPassphrase);
        // Rows from before row MACs get theirs once; a broken trail takes no entries, so that waits until it is whole.
        if (!audit.recordedBreak()) await rows.authenticateExisting(actor);
        await managers.openRenewing();
        if (integrity.checkIfDue()) await audit.sealPending();
        idle.reset();
        emit({ type: 'vault.unlocked' });
        return {};
      },
      'vault.lock': async () => {
        await theVault.lock('user');
        emit({ type: 'vault.locked', reason: 'user' });
        return {};
      },
      'store.check': async () => {
        theVault.requireUnlocked();
        const result = integrity.check();
        await audit.sealPending();
        return result;
      },
      'session.activity': () => ({}),
      'settings.update': (settings) => {
        theVault.requireUnlocked();
        const updated = theVault.updateSettings(settings);
        idle.reset();
        return updated;
      },
      'secrets.list': (request) => secrets.list(request),
      'secrets.get': ({ id }) => secrets.get(id),
      'secrets.checkNames': ({ names }) => ({ taken: secrets.checkNames(names) }),
      'secrets.inspectKey': ({ sealedKey }) => secrets.inspectKey(sealedKey),
      'secrets.create': (request) => secrets.create(request),
      'secrets.createMany': async (request) => ({ items: await secrets.createMany(request) }),
      'secrets.createReference': (request) => secrets.createReference(request),
      // The CLI is a consumer: its reveals go through the scope check. The desktop app is the admin's console.
      'secrets.reveal': (request) => secrets.reveal(request, isCliRequest(options.actor)),
      'secrets.revealMany': (request) => secrets.revealMany(request),
      'secrets.versions': ({ id }) => ({ items: secrets.versions(id) }),
      'secrets.rollback': ({ id, toVersion }) => secrets.rollback(id, toVersion),
      'secrets.setScope': ({ id, scope }) => secrets.setScope(id, scope),
      'secrets.scopeMany': (request) => operations.run('secrets.scopeMany', request.operationId, (running) => bulkScopes.run(request, running)),
      'secrets.update': (request) => secrets.update(request),
      'secrets.delete': async ({ id, keepRemote }) => {
        await secrets.delete(id, { keepRemote });
        return {};
      },
      'apps.list': () => {
        theVault.requireUnlocked();
        return { items: catalog.listApplications() };
      },
      'apps.create': ({ name }) => recorded('app.create', name, null, () => catalog.createApplication(name)),
      'apps.rename': ({ id, name }) => recorded('app.update', name, 'renamed', () => catalog.renameApplication(id, name)),
      'apps.delete': ({ id }) => deleteScopeOwner('application', id, 'app.delete', () => catalog.deleteApplication(id)),
      'envs.create': ({ applicationId, name, type }) => recorded('env.create', name, type, () => catalog.createEnvironment(applicationId, name, type)),
      'envs.update': ({ id, name, type }) =>
        recorded('env.update', name ?? id, type ? `type ${type}` : 'renamed', () =>
          inTransaction(db, () => {
            const updated = catalog.updateEnvironment(id, { name, type });
            managers.assertSecretsStillFit();
            return updated;
          }),
        ),
      'envs.delete': ({ id }) => deleteScopeOwner('environment', id, 'env.delete', () => catalog.deleteEnvironment(id)),
      'managers.list': async () => ({ items: await managers.list() }),
      'managers.pendingWrites': async ({ managerId }) => {
        theVault.requireUnlocked();
        // A journal row references its manager, so the row read by info() always exists.
        const items = remoteWrites.pending(managerId).map((write) => ({ ...write, managerName: managers.info(write.managerId).name }));
        return { items };
      },
      'managers.forgetPendingWrite': async ({ id }) => {
        theVault.requireUnlocked();
        const forgotten = inTransaction(db, () => {
          const write = remoteWrites.forgetPending(id);
          if (!write) throw new AppError('NOT_FOUND', `No unconfirmed write ${id}: "strongroom manager orphans" lists them with their ids.`);
          const managerName = managers.info(write.managerId).name;
          audit.append({
            actor,
            action: 'manager.forgetWrite',
            target: managerName,
            outcome: 'success',
            detail: `unconfirmed write ${write.id} of "${write.remoteName}" (${write.createdAt}) forgotten; the store was left as it is`,
          });
          return { ...write, managerName };
        });
        await audit.sealPending();
        return forgotten;
      },
      'managers.add': async (request) => {
        const added = await managers.add(request);
        emit({ type: 'managers.changed' });
        return added;
      },
      'managers.update': async (request) => {
        const updated = await managers.update(request);
        emit({ type: 'managers.changed' });
        return updated;
      },
      'managers.remove': async ({ id }) => {
        await managers.remove(id);
        emit({ type: 'managers.changed' });
        return {};
      },
      'managers.setDefault': async ({ id }) => {
        const manager = await managers.setDefault(id);
        emit({ type: 'managers.changed' });
        return manager;
      },
      'managers.test': async ({ id }) => {
        const tested = await managers.test(id);
        emit({ type: 'managers.changed' });
        return tested;
      },
      'managers.rewrap': async ({ id }) => {
        try {
          theVault.requireUnlocked();
          const name = managers.info(id).name;
          const title = `the re-wrap of "${name}"`;
          return await keyWork.track(
            { work: 'managers.rewrap', managerId: id, managerName: name, resumed: false },
            { running: `Re-wrapping the keys of "${name}"…`, title, retry: `Re-wrap the keys of "${name}" again to continue.` },
            () => kmsRewrap.rewrap(id),
            (report) => `${report.resumed ? `Finished the interrupted re-wrap of "${name}"` : `Re-wrapped the keys of "${name}"`}: ${report.rewrapped} wrapped key(s) now under ${report.keyVersion}.`,
          );
        } finally {
          emit({ type: 'managers.changed' });
        }
      },
      'managers.fetchOptions': (request) => managers.fetchOptions(request),
      'managers.setScope': async ({ id, scope, narrowSecrets }) => {
        theVault.requireUnlocked();
        const result = await managers.setScope(id, scope, narrowSecrets);
        await audit.sealPending();
        return result;
      },
      'backup.export': ({ sealedPassphrase, operationId }) => operations.run('backup.export', operationId, (running) => backups.export(sealedPassphrase, running)),
      'backup.restore': ({ sealedPassphrase, content, operationId }) =>
        operations.run('backup.restore', operationId, (running) => backups.restore(sealedPassphrase, content, running)),
      'operations.cancel': ({ operationId }) => ({ stopping: operations.cancel(operationId) }),
      'connections.test': (request) => connections.test(request),
      'connections.history': ({ secretId, limit }) => ({ items: connections.history(secretId, limit) }),
      'connections.trustHostKey': ({ testId }) => connections.trustHostKey(testId),
      'connections.tools': () => delegate.request({ op: 'tools.probe' }),
      'knownHosts.list': () => ({ items: connections.knownHosts() }),
      'knownHosts.remove': async ({ host, port, keyType }) => {
        await connections.removeKnownHost(host, port, keyType);
        return {};
      },
      'migration.preview': (request) => migrations.preview(request),
      'migration.start': (request) => migrations.start(request),
      'migration.pause': ({ runId }) => migrations.pause(runId),
      'migration.resume': ({ runId }) => migrations.resume(runId),
      'migration.cancel': ({ runId }) => migrations.cancel(runId),
      'migration.status': ({ runId }) => {
        theVault.requireUnlocked();
        return migrations.status(runId);
      },
      'migration.rates': async () => {
        theVault.requireUnlocked();
        return { items: await migrations.rates() };
      },
      'migration.setRate': async ({ managerId, ratePerSecond }) => ({ items: await migrations.setRate(managerId, ratePerSecond) }),
      'migration.list': () => {
        theVault.requireUnlocked();
        return { items: migrations.list() };
      },
      'migration.report': ({ runId, limit, offset }) => {
        theVault.requireUnlocked();
        return migrations.report(runId, limit, offset);
      },
      'keyring.rotate': ({ sealedPassphrase }) => {
        theVault.requireUnlocked();
        return keyWork.track(
          { work: 'keyring.rotate', managerId: null, managerName: null, resumed: false },
          { running: 'Rotating the master key…', title: 'the master key rotation', retry: 'Rotate the master key again to continue it.' },
          () => rotation.rotate(sealedPassphrase),
          (report) =>
            `${report.resumed ? 'Finished the interrupted master key rotation' : 'Rotated the master key'} to version ${report.version}: ${report.dataKeys} data key(s) and ${report.configs} manager configuration(s) re-wrapped.`,
        );
      },
      'keys.status': () => ({ items: keyWork.list() }),
      'searches.list': () => {
        theVault.requireUnlocked();
        return { items: savedSearches.list() };
      },
      'searches.save': async ({ name, filter, replace }) => {
        theVault.requireUnlocked();
        const saved = savedSearches.save(name, filter, replace);
        await audit.sealPending();
        return saved;
      },
      'searches.rename': async ({ id, name }) => {
        theVault.requireUnlocked();
        const renamed = savedSearches.rename(id, name);
        await audit.sealPending();
        return renamed;
      },
      'searches.delete': async ({ id }) => {
        theVault.requireUnlocked();
        savedSearches.delete(id);
        await audit.sealPending();
        return { items: savedSearches.list() };
      },
      'audit.list': ({ limit, offset, ...filter }) => {
        theVault.requireUnlocked();
        return audit.list(limit, offset, filter);
      },
      'audit.verify': async () => {
        theVault.requireUnlocked();
        const { repairedBreak, ...chain } = await audit.verify();
        const tamperedSecrets = (await rows.tampered()).map(({ name, problem }) => ({ name, problem }));
        const verdict =
          chain.intact && tamperedSecrets.length > 0
            ? {
                ...chain,
                intact: false,
                problem: `${tamperedSecrets.length} secret(s) failed their integrity check: ${tamperedSecrets.map((row) => row.name).join(', ')}`.slice(0, 2000),
                tamperedSecrets,
              }
            : { ...chain, tamperedSecrets };
        // A broken tail takes no entries: writing past it would hide where it was cut.
        if (!audit.recordedBreak()) {
          const repaired = repairedBreak ? `; a break found ${repairedBreak.detectedAt} (${repairedBreak.problem}) is no longer there` : '';
          audit.append({
            actor,
            action: 'audit.verify',
            target: null,
            outcome: verdict.intact ? 'success' : 'failure',
            detail: (verdict.intact ? `${verdict.checked} entries intact${repaired}` : verdict.problem)?.slice(0, 500) ?? null,
          });
          await audit.sealPending();
        }
        return verdict;
      },
      'audit.acceptBreak': async () => {
        theVault.requireUnlocked();
        const { problem, firstBrokenSeq } = await audit.acceptBreak(actor);
        await rows.reanchor();
        return { problem, firstBrokenSeq };
      },
    },
    {
      toError: (error) => {
        const appError = toAppError(error);
        if (appError.code === 'INTERNAL') logger.log('error', 'request failed', { error: error instanceof Error ? error.stack : String(error) });
        return appError.toIpcError();
      },
      // A request in flight holds the idle lock off (a long export is not idleness); the idle time counts from its end.
      onRequest: (channel) => (channel !== 'app.status' ? idle.busy() : undefined),
    },
  );

  await delegate.start();
  logger.log('info', 'core started', { actor: options.actor, delegatePid: delegate.pid });

  return {
    handle: (channel, request) => route(channel, request),
    handleAs: (actor, channel, request) => runAsActor(actor, () => route(channel, request)),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      idle.stop();
      secrets.closeSearchIndex();
      await migrations.shutdown();
      await delegate.stop();
      db.close();
    },
    get delegatePid() {
      return delegate.pid;
    },
  };
}
