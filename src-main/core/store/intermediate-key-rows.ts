/** An `intermediate_keys` row as SQLite returns it, and the record the delegate and the contract use. */
import type { IntermediateKeyRecord } from '../../../src-shared/delegate-protocol.js';

export interface IntermediateKeyRow {
  id: string;
  manager_id: string;
  wrapped_key: string;
  kms_key_version: string;
  created_at: number;
  use_count: number;
}

export function intermediateKeyRecord(row: IntermediateKeyRow): IntermediateKeyRecord {
  return {
    id: row.id,
    managerId: row.manager_id,
    wrappedKey: row.wrapped_key,
    kmsKeyVersion: row.kms_key_version,
    createdAt: row.created_at,
    useCount: row.use_count,
  };
}
