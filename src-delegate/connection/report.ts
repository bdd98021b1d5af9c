/** Collects a connection test's staged report (src-shared/connection-report.ts) as the test runs. */
import type { ConnectionError, ConnectionErrorCode, ConnectionReport, ReportStage, StageDetail, StageName } from '../../src-shared/connection-report.js';

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
