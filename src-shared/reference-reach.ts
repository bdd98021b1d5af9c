/**
 * Whether a manager reaches the remote secret a reference in another manager
 * points at, decided from the kinds' descriptions alone: a reference's syntax
 * is its kind's (`reference`), and the fields that locate what a manager holds
 * are its kind's `identityFields`. Two managers of one kind that agree on all
 * of them address the same store, so the reference means the same there.
 */
import { managerKindSpec, type PublicConfig } from './manager-kinds.js';

export interface ManagerIdentity {
  name: string;
  kind: string;
  config: PublicConfig;
}

export type ReferenceReach = { reaches: true; why: string } | { reaches: false; why: string };

/** A field's value as the comparison sees it: objects by their JSON with sorted keys, absence as ''. */
function fieldValue(config: PublicConfig, field: string): string {
  const value = config[field];
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'object') return String(value);
  const sorted = (node: unknown): unknown =>
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? Object.fromEntries(Object.entries(node as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, sorted(inner)]))
      : node;
  return JSON.stringify(sorted(value));
}

export function referenceReach(source: ManagerIdentity, target: ManagerIdentity): ReferenceReach {
  const sourceSpec = managerKindSpec(source.kind);
  const targetSpec = managerKindSpec(target.kind);
  if (!sourceSpec?.reference || !targetSpec) return { reaches: false, why: `"${source.name}" holds no references.` };
  if (!targetSpec.reference) return { reaches: false, why: `"${target.name}" (${targetSpec.label}) holds no references: it keeps values itself.` };
  if (source.kind !== target.kind) return { reaches: false, why: `"${target.name}" (${targetSpec.label}) is another kind of store than the reference's (${sourceSpec.label}).` };
  const differing = sourceSpec.identityFields.filter((field) => fieldValue(source.config, field) !== fieldValue(target.config, field));
  if (differing.length > 0) return { reaches: false, why: `"${target.name}" (${sourceSpec.label}) addresses another store: its ${differing.join(', ')} differ.` };
  const same = sourceSpec.identityFields.length > 0 ? `the same ${sourceSpec.identityFields.join(', ')}` : 'the same store';
  return { reaches: true, why: `"${target.name}" (${sourceSpec.label}) has ${same}` };
}
