/**
 * The provider of "kv-lite", a test-only secret store that follows the recipe
 * in docs/architecture.md: a SecretStore over the kv-lite emulator's HTTP API
 * (test/emulators/kv-lite-emulator.ts), parsing its configuration with the
 * schema its description carries.
 */
import type { z } from 'zod';
import { ProviderError, type ProviderTestResult, type SecretStore } from '../../../src-delegate/providers/provider.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../../../src-delegate/providers/retry.js';
import { kvLiteConfigSchema as configSchema, kvLiteDescription } from './description.js';

export { configSchema };
export type KvLiteConfigInput = z.input<typeof configSchema>;

const codeOfStatus = (status: number): ProviderError['code'] =>
  status === 401 ? 'AUTH_FAILED' : status === 403 ? 'PERMISSION_DENIED' : status === 404 ? 'NOT_FOUND' : status === 409 ? 'EXISTS' : status === 429 ? 'THROTTLED' : 'PROVIDER_ERROR';

export function create(input: KvLiteConfigInput, options: { retry?: RetryPolicy } = {}): SecretStore {
  const config = configSchema.parse(input);
  const rule = kvLiteDescription.nameRule(config)!;
  const maxValueBytes = kvLiteDescription.maxValueBytes;

  const request = (method: string, path: string, body?: unknown) =>
    withRetry(async () => {
      let response: Response;
      try {
        response = await fetch(`${config.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new ProviderError('UNREACHABLE', `Cannot reach kv-lite at ${config.url}.`, { retryable: true });
      }
      const json = (await response.json()) as Record<string, unknown>;
      if (response.ok) return json;
      const code = codeOfStatus(response.status);
      throw new ProviderError(code, `kv-lite answered ${response.status} to ${method} ${path}: ${String(json.error)}`, { retryable: response.status === 429 || response.status >= 500 });
    }, options.retry ?? DEFAULT_RETRY);

  const checkName = (name: string): string | null =>
    rule.pattern.test(name) && name.length <= rule.maxLength ? null : `"${name}" is not a kv-lite name: letters, digits and dashes, at most ${rule.maxLength}.`;
  const path = (reference: string) => `/v1/secrets/${encodeURIComponent(reference)}`;

  const store: SecretStore = {
    role: 'secret-store',
    kind: 'kv-lite',
    maxValueBytes,
    keepsVersions: true,
    checkName,
    locate: (name) => `${config.prefix}${name}`,
    async exists(name) {
      try {
        await request('GET', path(store.locate(name)));
        return true;
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'NOT_FOUND') return false;
        throw error;
      }
    },
    async put(name, value, mode) {
      const refused = checkName(name);
      if (refused) throw new ProviderError('INVALID', refused);
      if (Buffer.byteLength(value, 'utf8') > maxValueBytes) throw new ProviderError('INVALID', `kv-lite keeps values of at most ${maxValueBytes} bytes.`);
      const reference = store.locate(name);
      try {
        const { version } = await request('PUT', path(reference), { value, create: mode === 'create' });
        return { reference, versionId: String(version) };
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'EXISTS') throw new ProviderError('EXISTS', `kv-lite already holds "${name}", written by someone else.`);
        throw error;
      }
    },
    async get(reference, versionId) {
      const { value, version } = await request('GET', `${path(reference)}${versionId ? `?version=${encodeURIComponent(versionId)}` : ''}`);
      return { value: String(value), versionId: String(version) };
    },
    async delete(reference, own) {
      const { removed } = await request('DELETE', `${path(reference)}?versions=${own.versions.map(encodeURIComponent).join(',')}`);
      const kind = removed === 'secret' || removed === 'versions' ? removed : 'nothing';
      return { removed: kind, detail: kind === 'secret' ? `Deleted ${reference}.` : kind === 'versions' ? `Deleted Strongroom's versions of ${reference}; others remain.` : `Nothing of ${reference} was Strongroom's.` };
    },
    readReference: (reference) => store.get(reference),
    async test(): Promise<ProviderTestResult> {
      try {
        await request('GET', '/v1/health');
        return { ok: true, checks: [{ name: 'authenticate', ok: true, detail: `The token is accepted at ${config.url}.` }], facts: { url: config.url }, warnings: [] };
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        return { ok: false, checks: [{ name: 'authenticate', ok: false, detail: error.message }], facts: { errorCode: error.code }, warnings: [] };
      }
    },
  };
  return store;
}
