import type { ChannelResult } from '../../src-shared/contract.js';

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
