import type { AuditAction, AuditActorKind, AuditEntry, ChannelResult } from '../../src-shared/contract.js';

export const AUDIT_PAGE_SIZE = 50;

export interface PageInfo {
  from: number;
  to: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

export function pageInfo(offset: number, shown: number, total: number): PageInfo {
  return {
    from: shown === 0 ? 0 : offset + 1,
    to: offset + shown,
    hasPrevious: offset > 0,
    hasNext: offset + shown < total,
  };
}

export function describeVerification(result: ChannelResult<'audit.verify'>): string {
  const checked = `${result.checked.toLocaleString('en')} ${result.checked === 1 ? 'entry' : 'entries'} checked`;
  if (result.intact) return `Chain intact: ${checked}.`;
  const where = result.firstBrokenSeq === null ? 'Chain broken' : `Chain broken at entry ${result.firstBrokenSeq}`;
  return `${where}: ${result.problem ?? 'integrity check failed'} (${checked}).`;
}

/** What each action reads as in the audit table and its filter. */
export const auditActionLabels: Record<AuditAction, string> = {
  'vault.create': 'Created the store',
  'vault.unlock': 'Unlocked',
  'vault.lock': 'Locked',
  'secret.create': 'Created',
  'secret.reveal': 'Revealed',
  'secret.copy': 'Copied',
  'secret.download': 'Downloaded',
  'secret.update': 'Changed',
  'secret.delete': 'Deleted',
  'audit.verify': 'Verified the audit chain',
  'settings.update': 'Changed settings',
  'store.check': 'Checked the store file',
  'secret.rollback': 'Rolled back',
  'secret.scope': 'Changed usage scope',
  'secret.resolve': 'Checked scope for use',
  'app.create': 'Added application',
  'app.update': 'Changed application',
  'app.delete': 'Deleted application',
  'env.create': 'Added environment',
  'env.update': 'Changed environment',
  'env.delete': 'Deleted environment',
  'manager.scope': 'Changed manager scope',
  'backup.export': 'Exported a backup',
  'backup.restore': 'Restored a backup',
  'connection.test': 'Tested a connection',
  'hostkey.trust': 'Trusted a host key',
  'hostkey.remove': 'Removed a host key',
  'manager.add': 'Added manager',
  'manager.update': 'Changed manager',
  'manager.remove': 'Removed manager',
  'manager.forgetWrite': 'Forgot an unconfirmed write',
  'manager.default': 'Made manager the default',
  'manager.test': 'Tested manager',
  'audit.break': 'Accepted a break in the chain',
  'secret.migrate': 'Migrated to another manager',
  'migration.start': 'Started a migration',
  'migration.resume': 'Resumed a migration',
  'migration.cancel': 'Cancelled a migration',
  'keyring.rotate': 'Rotated the master key',
  'keyring.kdf': 'Raised the key derivation parameters',
  'manager.rewrap': 'Re-wrapped keys after a KMS key rotation',
  'secrets.authenticate': 'Gave existing secrets an integrity MAC',
  'search.save': 'Saved a search',
  'search.rename': 'Renamed a saved search',
  'search.delete': 'Deleted a saved search',
};

/**
 * An entry's label. Entries from before downloads had their own action
 * recorded a download as a reveal with "(download)" in the detail.
 */
export function auditActionLabel(entry: Pick<AuditEntry, 'action' | 'detail'>): string {
  if (entry.action === 'secret.reveal' && entry.detail?.endsWith('(download)')) return auditActionLabels['secret.download'];
  return auditActionLabels[entry.action];
}

const clientLabels: Record<string, string> = { desktop: 'UI', bridge: 'UI (browser)', cli: 'CLI' };

/** "UI", "UI (browser)", "CLI (pid 4242)", "Connection test (UI)"; unknown actors as stored. */
export function auditActorLabel(actor: string): string {
  const [client = actor, via] = actor.split('/');
  const cli = /^cli:(\d+)$/.exec(client);
  const who = cli ? `CLI (pid ${cli[1]})` : (clientLabels[client] ?? client);
  return via === 'connection-test' ? `Connection test (${who})` : who;
}

export const auditActorFilterLabels: Record<AuditActorKind, string> = { ui: 'UI', cli: 'CLI', 'connection-test': 'Connection tests' };

export const auditPeriods = { any: 'Any time', hour: 'Last hour', day: 'Last 24 hours', week: 'Last 7 days', month: 'Last 30 days' } as const;
export type AuditPeriod = keyof typeof auditPeriods;
const periodMs: Record<Exclude<AuditPeriod, 'any'>, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };

/** The instant a period starts at, as audit.list's `since`; undefined for any time. */
export function periodStart(period: AuditPeriod, now: number): string | undefined {
  return period === 'any' ? undefined : new Date(now - periodMs[period]).toISOString();
}
