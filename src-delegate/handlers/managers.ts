/** Configuring, testing, opening and closing secret managers, and re-wrapping a KMS manager's keys after its key rotated. */
import { randomBytes } from 'node:crypto';
import { sealBindings } from '../../src-shared/delegate-protocol.js';
import { managerKindSpecs } from '../../src-shared/manager-kinds.js';
import { ProviderError, type ProviderTestResult } from '../providers/provider.js';
import { keepStoredSecrets, providerOf, publicConfig, secretValues } from '../managers/registry.js';
import { decryptConfig, encryptConfig } from '../managers/config-crypto.js';
import { AeadError } from '../aead.js';
import { DelegateFailure } from '../delegate-failure.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

export function managerHandlers(ctx: DelegateContext) {
  return {
    'manager.configure': async (request) => {
      const spec = providerOf(request.kind);
      const keyring = ctx.requireKeyring();
      const [json] = await ctx.openSealed(request.sealed, sealBindings.managerConfig(request.name));
      let input = parseConfigJson(json);
      for (const value of secretValues(request.kind, input)) ctx.trackValue(value);
      if (request.previous) {
        if (request.previous.id !== request.managerId || request.previous.kind !== request.kind) throw new DelegateFailure('BAD_REQUEST', 'The stored configuration is of another manager.');
        let stored: Record<string, unknown>;
        try {
          stored = JSON.parse(decryptConfig(keyring, request.previous.id, request.previous.kind, request.previous.config)) as Record<string, unknown>;
        } catch (error) {
          if (error instanceof AeadError) throw new DelegateFailure('DECRYPT_FAILED', `The stored configuration of manager ${request.managerId} failed authentication: it was altered or moved.`);
          throw error;
        }
        for (const value of secretValues(request.kind, stored)) ctx.trackValue(value);
        input = keepStoredSecrets(request.kind, stored, input);
      }
      const parsed = spec.configSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 20).map((issue) => ({ path: ['config', ...issue.path.map(String)].join('.').slice(0, 64), message: ctx.sanitizer.mask(issue.message).slice(0, 300) }));
        throw new DelegateFailure('INVALID_SECRET', `The ${request.kind} configuration is not valid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, issues);
      }
      const output = parsed.data as Record<string, unknown>;
      // A configuration replaced under the same id must not keep the old provider open.
      await ctx.managers.close(request.managerId);
      ctx.log.write('info', 'manager configured', { managerId: request.managerId, kind: request.kind });
      return {
        config: encryptConfig(keyring, request.managerId, request.kind, JSON.stringify(input)),
        publicConfig: publicConfig(request.kind, output),
        readOnly: managerKindSpecs[request.kind].supportsReadOnly && output.readOnly === true,
      };
    },

    'manager.test': async (request) => {
      const keyring = ctx.requireKeyring();
      let result: ProviderTestResult;
      try {
        const open = ctx.managers.open(keyring, request.manager);
        result = await open.provider.test();
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        result = {
          ok: false,
          checks: [{ name: 'connect', ok: false, detail: error.message }],
          facts: { errorCode: error.code, ...(error.extra.permission ? { missingPermission: error.extra.permission } : {}) },
          warnings: [],
        };
      }
      let renewal = ctx.managers.renewalOf(request.manager.id);
      if (renewal?.state === 'paused' && result.ok) {
        // A passing test shows the token works again: the paused loop may resume.
        ctx.managers.open(keyring, request.manager).provider.tokenRenewal?.resume();
        renewal = ctx.managers.renewalOf(request.manager.id);
      }
      ctx.log.write('info', 'manager tested', { managerId: request.manager.id, kind: request.manager.kind, ok: result.ok, errorCode: result.facts.errorCode ?? null });
      return {
        result: maskResult(ctx, result),
        renewal: renewal ? { ...renewal, lastError: renewal.lastError ? { code: renewal.lastError.code, message: ctx.sanitizer.mask(renewal.lastError.message).slice(0, 2000) } : null } : null,
      };
    },

    'manager.fetchOptions': async (request) => {
      const { fetchOptions } = providerOf(request.kind);
      ctx.requireKeyring();
      const [json] = await ctx.openSealed(request.sealed, sealBindings.managerConfig(''));
      const config = parseConfigJson(json);
      for (const value of secretValues(request.kind, config)) ctx.trackValue(value);
      if (!fetchOptions) throw new DelegateFailure('BAD_REQUEST', `A ${request.kind} form has no options to fetch.`);
      return fetchOptions(config);
    },

    'manager.close': async (request) => {
      await ctx.managers.close(request.managerId);
      return {};
    },

    'manager.checkSshSigner': async (request) => {
      const keyring = ctx.requireKeyring();
      const signer = ctx.managers.store(keyring, request.manager).provider.sshSigner;
      if (!signer) throw new DelegateFailure('BAD_REQUEST', `A ${request.manager.kind} manager signs no SSH certificates.`);
      await signer.check(request.mount, request.role);
      return {};
    },

    'manager.closeAll': async () => {
      await ctx.managers.closeAll();
      return {};
    },

    'manager.open': async (request) => {
      const keyring = ctx.requireKeyring();
      const failed: string[] = [];
      for (const manager of request.managers) {
        try {
          ctx.managers.open(keyring, manager);
        } catch (error) {
          failed.push(manager.id);
          ctx.log.write('warn', 'manager could not be opened', { managerId: manager.id, kind: manager.kind, error: ctx.sanitizer.mask(error instanceof Error ? error.message : String(error)) });
        }
      }
      return { failed };
    },

    'manager.currentKeyVersion': async (request) => {
      const open = ctx.managers.keyManager(ctx.requireKeyring(), request.manager);
      const probe = randomBytes(32);
      try {
        return { keyVersion: (await open.provider.wrapKey(probe, { 'strongroom:purpose': 'key-version-probe' })).keyVersion };
      } finally {
        probe.fill(0);
      }
    },

    'manager.rewrap': async (request) => {
      const open = ctx.managers.keyManager(ctx.requireKeyring(), request.manager);
      const records = [];
      // One at a time: the provider's own request quota is what the rewrap spends, and a failure stops at a known record.
      for (const record of request.records) records.push(await open.intermediate.rewrap(record));
      ctx.log.write('info', 'intermediate keys rewrapped', { managerId: request.manager.id, count: records.length });
      return { records };
    },

    'manager.status': async () => ({
      renewal: ctx.managers.renewalStatuses().map(({ managerId, status }) => ({
        managerId,
        status: { ...status, lastError: status.lastError ? { code: status.lastError.code, message: ctx.sanitizer.mask(status.lastError.message).slice(0, 2000) } : null },
      })),
    }),
  } satisfies Partial<DelegateHandlers>;
}

/** Every text of a test result, masked: a provider may echo what it was given. */
function maskResult(ctx: DelegateContext, result: ProviderTestResult): ProviderTestResult {
  const mask = (text: string) => ctx.sanitizer.mask(text);
  return {
    ok: result.ok,
    checks: result.checks.slice(0, 32).map((check) => ({ name: mask(check.name).slice(0, 200), ok: check.ok, detail: mask(check.detail).slice(0, 4000) })),
    facts: Object.fromEntries(
      Object.entries(result.facts)
        .slice(0, 200)
        .map(([key, value]) => [key.slice(0, 64), typeof value === 'string' ? mask(value).slice(0, 4096) : value]),
    ),
    warnings: result.warnings.slice(0, 32).map((warning) => mask(warning).slice(0, 2000)),
  };
}

function parseConfigJson(json: string | undefined): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(json ?? '');
  } catch {
    throw new DelegateFailure('INVALID_SECRET', 'The configuration is not JSON.', [{ path: 'config', message: 'Not valid JSON' }]);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new DelegateFailure('INVALID_SECRET', 'The configuration must be a JSON object.', [{ path: 'config', message: 'Expected a JSON object' }]);
  }
  return config as Record<string, unknown>;
}
