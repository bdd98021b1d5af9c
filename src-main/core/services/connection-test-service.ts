/**
 * Connection tests of stored credentials. Every test runs as a consumer
 * through the secret's usage scope (SecretsService.resolve), is recorded in
 * the test history and the audit trail, and checks host keys against the
 * known-hosts store. A new host key is trusted only when the user explicitly
 * says so: with the CLI's --accept-new-host-key, or by trusting the key a
 * finished test saw after comparing its fingerprint. A changed key is never
 * trusted from here.
 */
import type { Database } from 'better-sqlite3';
import { kindCan, testableSecretTypes, type ConnectionReport, type ConnectionTestRecord, type KnownHost, type ParsedRequest } from '../../../src-shared/contract.js';
import { AppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import { inTransaction, prepared } from '../store/prepared.js';
import { connectionTestActor, type AuditLog } from './audit-log.js';
import type { ManagersService } from './managers-service.js';
import type { ManagerContext } from '../../../src-shared/delegate-protocol.js';
import type { SecretsService } from './secrets-service.js';
import type { VaultService } from './vault-service.js';

/**
 * How long main waits for the whole test: it may wait on each network stage (DNS, TCP, banner,
 * Kerberos, login, probe, and WinRM's extra steps) up to the stage deadline, plus a PAM delay.
 */
function wholeTestTimeoutMs(stageTimeoutMs: number): number {
  return Math.max(180_000, stageTimeoutMs * 9);
}

interface SeenKey {
  keyType: string;
  fingerprint: string;
  publicKey: string;
}

export class ConnectionTestService {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly secrets: SecretsService,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly managers: ManagersService,
  ) {}

  private knownFor(host: string, port: number) {
    return (prepared(this.db, 'SELECT host, port, key_type AS keyType, fingerprint FROM known_hosts WHERE host = ? AND port = ?').all(host, port) as {
      host: string;
      port: number;
      keyType: string;
      fingerprint: string;
    }[]);
  }

  private storeKey(host: string, port: number, key: SeenKey): KnownHost {
    const addedAt = new Date().toISOString();
    prepared(this.db, 'INSERT OR IGNORE INTO known_hosts (host, port, key_type, fingerprint, public_key, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      host.toLowerCase(),
      port,
      key.keyType,
      key.fingerprint,
      key.publicKey,
      addedAt,
      this.actor,
    );
    this.audit.append({ actor: this.actor, action: 'hostkey.trust', target: `${host}:${port}`, outcome: 'success', detail: `${key.keyType} ${key.fingerprint}` });
    return { host: host.toLowerCase(), port, keyType: key.keyType, fingerprint: key.fingerprint, addedAt };
  }

  async test(request: ParsedRequest<'connections.test'>): Promise<{ testId: string; report: ConnectionReport; hostKeyTrusted: boolean }> {
    this.vault.requireUnlocked();
    const row = this.secrets.byId(request.secretId);
    await this.secrets.rows.check([row.id]);
    if (!(testableSecretTypes as readonly string[]).includes(row.type)) {
      throw new AppError('INVALID_REQUEST', 'Only SSH, SSH via Kerberos, Vault-signed SSH certificate and WinRM credentials can be tested.');
    }
    const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
    const defaultPort = typeof metadata.port === 'number' ? metadata.port : row.type === 'winrm' ? (metadata.useSsl ? 5986 : 5985) : 22;
    const port = request.port ?? defaultPort;
    const host = request.host.toLowerCase();
    const consumer = request.consumer ? `${request.consumer.application}/${request.consumer.environment}` : null;
    this.secrets.resolve(row, request.consumer ?? null, connectionTestActor(this.actor));

    const stageTimeoutMs = (request.timeoutSeconds ?? this.vault.settings().connectTimeoutSeconds) * 1000;
    const stored = this.secrets.storedVersion(row);
    let signer: ManagerContext | undefined;
    if (row.type === 'ssh-vault-certificate' && typeof metadata.vaultManagerId === 'string') {
      const info = this.managers.info(metadata.vaultManagerId);
      if (!kindCan(info.kind, (spec) => spec.signsSshCertificates)) throw new AppError('INVALID_REQUEST', `"${info.name}" is not a HashiCorp Vault manager: only Vault's SSH engine signs keys.`);
      signer = this.managers.context(info.id);
    }
    const { report, seenHostKey } = await this.delegate.request(
      {
        op: 'connection.test',
        testId: request.testId,
        secret: { ...stored, metadata },
        target: { host, port },
        knownHosts: this.knownFor(host, port),
        acceptNewHostKey: request.acceptNewHostKey,
        stageTimeoutMs,
        ...this.secrets.dependencies([stored]),
        ...(signer ? { signer } : {}),
      },
      wholeTestTimeoutMs(stageTimeoutMs),
    );
    const handshake = report.stages.find((stage) => stage.stage === 'handshake');
    const sawNewKey = handshake?.details.hostKey === 'new' && seenHostKey !== null;
    let hostKeyTrusted = false;
    inTransaction(this.db, () => {
      if (request.acceptNewHostKey && sawNewKey && report.ok) {
        this.storeKey(host, port, seenHostKey!);
        hostKeyTrusted = true;
      }
      prepared(
        this.db,
        'INSERT INTO connection_tests (id, secret_id, host, port, ok, error_code, consumer, actor, started_at, report, seen_host_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        request.testId,
        row.id,
        host,
        port,
        report.ok ? 1 : 0,
        report.error?.code ?? null,
        consumer,
        this.actor,
        report.startedAt,
        JSON.stringify(report),
        sawNewKey ? JSON.stringify(seenHostKey) : null,
      );
      this.audit.append({
        actor: connectionTestActor(this.actor),
        action: 'connection.test',
        target: row.name,
        outcome: report.ok ? 'success' : 'failure',
        detail: `${host}:${port} ${report.ok ? 'ok' : report.error?.code}${consumer ? `; consumer ${consumer}` : ''}`,
      });
    });
    await this.audit.sealPending();
    return { testId: request.testId, report, hostKeyTrusted };
  }

  history(secretId: string, limit: number): ConnectionTestRecord[] {
    this.vault.requireUnlocked();
    const rows = prepared(this.db, 'SELECT * FROM connection_tests WHERE secret_id = ? ORDER BY started_at DESC LIMIT ?').all(secretId, limit) as {
      id: string;
      host: string;
      port: number;
      ok: number;
      error_code: string | null;
      consumer: string | null;
      actor: string;
      started_at: string;
      report: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      host: row.host,
      port: row.port,
      ok: row.ok === 1,
      errorCode: row.error_code,
      consumer: row.consumer,
      actor: row.actor,
      startedAt: row.started_at,
      report: JSON.parse(row.report) as ConnectionReport,
    }));
  }

  async trustHostKey(testId: string): Promise<KnownHost> {
    this.vault.requireUnlocked();
    const row = prepared(this.db, 'SELECT host, port, seen_host_key FROM connection_tests WHERE id = ?').get(testId) as
      | { host: string; port: number; seen_host_key: string | null }
      | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such connection test.');
    if (!row.seen_host_key) {
      throw new AppError('INVALID_REQUEST', 'That test saw no new host key to trust. A changed key is never trusted from here: remove the old key under Known hosts first, if the change is expected.');
    }
    const known = inTransaction(this.db, () => this.storeKey(row.host, row.port, JSON.parse(row.seen_host_key!) as SeenKey));
    await this.audit.sealPending();
    return known;
  }

  knownHosts(): KnownHost[] {
    this.vault.requireUnlocked();
    return prepared(this.db, 'SELECT host, port, key_type AS keyType, fingerprint, added_at AS addedAt FROM known_hosts ORDER BY host, port, key_type').all() as KnownHost[];
  }

  async removeKnownHost(host: string, port: number, keyType: string): Promise<void> {
    this.vault.requireUnlocked();
    const removed = prepared(this.db, 'DELETE FROM known_hosts WHERE host = ? AND port = ? AND key_type = ?').run(host.toLowerCase(), port, keyType);
    if (removed.changes === 0) throw new AppError('NOT_FOUND', `No ${keyType} key is stored for ${host}:${port}.`);
    this.audit.append({ actor: this.actor, action: 'hostkey.remove', target: `${host}:${port}`, outcome: 'success', detail: keyType });
    await this.audit.sealPending();
  }
}
