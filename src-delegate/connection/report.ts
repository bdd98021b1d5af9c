/**
 * The staged report every connection test (SSH, SSH via Kerberos, Vault-signed
 * SSH certificates, WinRM) produces. Each stage says what was tried, how long
 * it took and what was learnt; a failure names the stage and a typed error.
 * Every string in a report passes through the delegate's sanitizer before it
 * leaves the delegate.
 */
export type StageName = 'dns' | 'tcp' | 'tls' | 'handshake' | 'auth' | 'probe' | 'kerberos';

export type StageDetail = string | number | boolean | null | string[];

export interface ReportStage {
  stage: StageName;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  /** Facts learnt at this stage, e.g. `{ fingerprint: 'SHA256:…', hostKey: 'known' }`. */
  details: Record<string, StageDetail>;
}

export const connectionErrorCodes = [
  'DNS',
  'REFUSED',
  'TIMEOUT',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'UNSUPPORTED_KEY_FORMAT',
  'WRONG_PASSPHRASE',
  'AUTH_REJECTED',
  'KDC_UNREACHABLE',
  'PRINCIPAL_UNKNOWN',
  'WRONG_KEYTAB',
  'CLOCK_SKEW',
  'NO_SERVICE_PRINCIPAL',
  'CERT_EXPIRED',
  'CERT_NOT_VALID_FOR_USER',
  'TLS_UNTRUSTED',
  'BASIC_DISABLED',
  'ENCRYPTION_REQUIRED',
  'WSMAN_FAULT',
  'PROBE_FAILED',
  'SCOPE_DENIED',
  'INTERNAL',
] as const;
export type ConnectionErrorCode = (typeof connectionErrorCodes)[number];

export interface ConnectionError {
  code: ConnectionErrorCode;
  message: string;
  /** Extra facts for the UI, e.g. both fingerprints of a changed host key, or the auth methods the server allows. */
  details?: Record<string, StageDetail>;
}

export interface ConnectionReport {
  kind: 'ssh' | 'ssh-kerberos' | 'ssh-vault-certificate' | 'winrm';
  host: string;
  port: number;
  ok: boolean;
  startedAt: string;
  totalMs: number;
  stages: ReportStage[];
  error: ConnectionError | null;
}

/** Receives each stage as it finishes, for a live log in the UI and CLI. */
export type StageListener = (stage: ReportStage) => void;

/** Collects stages with their timings; `run` times one stage and records its outcome. */
export class ReportBuilder {
  private readonly stages: ReportStage[] = [];
  private readonly started = performance.now();
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly kind: ConnectionReport['kind'],
    private readonly host: string,
    private readonly port: number,
    private readonly listener?: StageListener,
  ) {}

  record(stage: ReportStage): void {
    this.stages.push(stage);
    this.listener?.(stage);
  }

  /** Runs one stage; on failure records it as failed (with any details gathered so far) and rethrows. */
  async run<T>(stage: StageName, action: (details: Record<string, StageDetail>) => Promise<T>): Promise<T> {
    const details: Record<string, StageDetail> = {};
    const t0 = performance.now();
    try {
      const result = await action(details);
      this.record({ stage, status: 'ok', durationMs: Math.round(performance.now() - t0), details });
      return result;
    } catch (error) {
      this.record({ stage, status: 'failed', durationMs: Math.round(performance.now() - t0), details });
      throw error;
    }
  }

  finish(error: ConnectionError | null): ConnectionReport {
    return {
      kind: this.kind,
      host: this.host,
      port: this.port,
      ok: error === null,
      startedAt: this.startedAt,
      totalMs: Math.round(performance.now() - this.started),
      stages: this.stages,
      error,
    };
  }
}

/** A typed failure thrown by a stage; the tester turns it into the report's error. */
export class ConnectionFailure extends Error {
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    readonly details?: Record<string, StageDetail>,
  ) {
    super(message);
  }
}
