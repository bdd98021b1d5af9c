/**
 * What a migration must know about each manager kind: the largest value it
 * keeps, its name rule (and how to make a name fit it), whether it keeps
 * versions, and its published request quotas. The planner and the runner read
 * these through `limitsOf` only, so they come from one description per kind.
 *
 * TODO(arch): when src-shared/manager-kinds.ts lands, `limitsOf` reads its
 * maxValueBytes, nameRule and keepsVersions instead of this table.
 */
import type { ManagerKind } from '../../../src-shared/contract.js';

export interface NameRule {
  pattern: RegExp;
  maxLength: number;
  /** The closest name that matches the rule. */
  fit(name: string): string;
  /** Whether two names are the same name in this store. */
  caseInsensitive: boolean;
}

export interface KindLimits {
  maxValueBytes: number;
  /** Null: any Strongroom name fits (the built-in store and key managers keep values locally). */
  nameRule: NameRule | null;
  keepsVersions: boolean;
  /** Requests per second the provider publishes as its default quota; Infinity when it publishes none. */
  quota: { readsPerSecond: number; writesPerSecond: number };
}

/** The built-in store and the KMS envelope keep values here, bounded by the largest secret Strongroom takes (a 10 MiB file, base64 in JSON). */
const LOCAL_MAX_VALUE_BYTES = 16 * 1024 * 1024;

const fitTo = (allowed: RegExp, maxLength: number) => (name: string) => name.replace(allowed, '-').slice(0, maxLength);

const LIMITS: Record<ManagerKind, (publicConfig: Record<string, unknown>) => KindLimits> = {
  local: () => ({ maxValueBytes: LOCAL_MAX_VALUE_BYTES, nameRule: null, keepsVersions: true, quota: { readsPerSecond: Infinity, writesPerSecond: Infinity } }),
  // KMS wraps only intermediate keys (providers/intermediate-keys.ts), so its 4 KiB plaintext limit never meets a value.
  'aws-kms': () => ({ maxValueBytes: LOCAL_MAX_VALUE_BYTES, nameRule: null, keepsVersions: true, quota: { readsPerSecond: 5_500, writesPerSecond: 5_500 } }),
  'gcp-kms': () => ({ maxValueBytes: LOCAL_MAX_VALUE_BYTES, nameRule: null, keepsVersions: true, quota: { readsPerSecond: 1_000, writesPerSecond: 1_000 } }),
  // GetSecretValue 10,000/s; CreateSecret and PutSecretValue 50/s. AWS keeps only the AWSCURRENT and AWSPREVIOUS versions.
  'aws-secrets-manager': (config) => {
    const prefix = typeof config.namePrefix === 'string' ? config.namePrefix : '';
    return {
      maxValueBytes: 65_536,
      nameRule: { pattern: /^[A-Za-z0-9/_+=.@-]+$/, maxLength: 512 - prefix.length, fit: fitTo(/[^A-Za-z0-9/_+=.@-]/g, 512 - prefix.length), caseInsensitive: false },
      keepsVersions: false,
      quota: { readsPerSecond: 10_000, writesPerSecond: 50 },
    };
  },
  // 4,000 secret transactions per 10 s per vault.
  'azure-key-vault': () => ({
    maxValueBytes: 25 * 1024,
    nameRule: { pattern: /^[0-9A-Za-z-]+$/, maxLength: 127, fit: fitTo(/[^0-9A-Za-z-]/g, 127), caseInsensitive: true },
    keepsVersions: true,
    quota: { readsPerSecond: 400, writesPerSecond: 400 },
  }),
  // Vault publishes no quota (an operator may set rate-limit quotas); KV v1 keeps one value per path.
  vault: (config) => ({
    maxValueBytes: 512 * 1024,
    nameRule: { pattern: /^[A-Za-z0-9._-]+$/, maxLength: 255, fit: fitTo(/[^A-Za-z0-9._-]/g, 255), caseInsensitive: false },
    keepsVersions: (config.engine as { version?: number } | undefined)?.version !== 1,
    quota: { readsPerSecond: Infinity, writesPerSecond: Infinity },
  }),
};

export function limitsOf(kind: ManagerKind, publicConfig: Record<string, unknown>): KindLimits {
  return LIMITS[kind](publicConfig);
}
