/**
 * Passes every string of a report, and of each stage the live log sees,
 * through the delegate's sanitizer: server output, tool messages and paths
 * can all echo a secret back.
 */
import type { ConnectionReport, ReportStage } from '../../../src-shared/connection-report.js';

export type Mask = (text: string) => string;

export function maskReport(report: ConnectionReport, mask: Mask): ConnectionReport {
  return maskValue(report, mask);
}

export function maskStage(stage: ReportStage, mask: Mask): ReportStage {
  return maskValue(stage, mask);
}

function maskValue<T>(value: T, mask: Mask): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskValue(item, mask)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskValue(item, mask)])) as T;
  }
  return value;
}
