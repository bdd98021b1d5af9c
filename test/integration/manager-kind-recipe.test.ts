/**
 * The recipe for adding a manager kind (docs/architecture.md, "Adding a
 * manager kind"), followed once: "kv-lite" is one provider file and one
 * description entry (test/kinds/kv-lite/), one emulator
 * (test/emulators/kv-lite-emulator.ts) and this conformance run. Nothing in
 * src-* names it, yet it appears in the add-manager form, whose fields build
 * a configuration its schema accepts, and in the CLI's help.
 */
// The description registers the kind when imported; it comes first, before anything reads the lists.
import { kvLiteDescription } from '../kinds/kv-lite/description.js';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { configSummary, externalManagerKinds, managerKindSpec, type ExternalManagerKind } from '../../src-shared/manager-kinds.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { staticCommands } from '../../src-renderer/features/palette/commands.js';
import { registerProviderKind } from '../../src-delegate/managers/registry.js';
import { ManagerFormDialog } from '../../src-renderer/features/managers/ManagerFormDialog.js';
import { initialManagerValues, visibleManagerFields } from '../../src-renderer/features/managers/manager-fields.js';
import { buildManagerConfig, valuesFromPublicConfig } from '../../src-renderer/features/managers/manager-form.js';
import { configSchema, create } from '../kinds/kv-lite/provider.js';
import { startKvLiteEmulator } from '../emulators/kv-lite-emulator.js';
import { conformanceRetry, describeProviderConformance } from './provider-conformance-suite.js';

// The kind exists only at run time, so the compiler knows it by no name of its own.
const kind = 'kv-lite' as ExternalManagerKind;

describeProviderConformance('kv-lite (a test-only kind)', async (defer) => {
  const emulator = await startKvLiteEmulator();
  defer(() => emulator.close());
  return {
    role: 'secret-store',
    provider: create({ url: emulator.url, token: emulator.token, prefix: 'team-' }, { retry: conformanceRetry }),
    wrongCredentials: create({ url: emulator.url, token: 'not-the-token', prefix: 'team-' }, { retry: conformanceRetry }),
    faults: emulator,
    invalidNames: ['has space', 'slash/inside', 'x'.repeat(64)],
    missingReference: 'team-never-written',
    missingVersionId: '999999',
    seedReference: async () => {
      emulator.writeOutside('shared-db-password', 'written by an admin');
      return { reference: 'shared-db-password', value: 'written by an admin' };
    },
    writeCalls: () => emulator.writeCalls(),
    writeOutside: async (name, value) => void emulator.writeOutside(`team-${name}`, value),
  };
});

describe('a kind added by the recipe shows up without edits elsewhere', () => {
  it('joins the lists derived from the descriptions', () => {
    expect(externalManagerKinds).toContain(kind);
    expect(managerKindSpec(kind)).toBe(kvLiteDescription);
    expect(configSummary(kind, { url: 'https://kv-lite.example', prefix: 'team-' })).toBe('https://kv-lite.example · team-*');
  });

  it('is offered in the add-manager form, with its label and hint', () => {
    const html = renderToStaticMarkup(createElement(ManagerFormDialog, { onClose: () => undefined }));
    expect(html).toContain('value="kv-lite"');
    expect(html).toContain('KV Lite (test kind)');
    expect(html).toContain(kvLiteDescription.hint);
  });

  it('gets its form fields from its description, and they build a configuration its schema accepts', () => {
    const values = initialManagerValues(kind);
    expect(visibleManagerFields(kind, values).map((field) => field.label)).toEqual(['Server URL', 'Access token', 'Name prefix']);
    expect(buildManagerConfig(kind, values, false).errors).toEqual({ url: 'Server URL is required', token: 'Access token is required' });
    const built = buildManagerConfig(kind, { ...values, url: 'https://kv-lite.example:8300', token: 'token value', prefix: 'team-' }, true);
    expect(built.errors).toEqual({});
    // kv-lite does not support a read-only flag in its configuration, so the form leaves it out and the strict schema accepts the rest.
    expect(configSchema.safeParse(built.config).success).toBe(true);
    expect(valuesFromPublicConfig(kind, { url: 'https://kv-lite.example:8300', prefix: 'team-' })).toEqual({ url: 'https://kv-lite.example:8300', token: '', prefix: 'team-' });
  });

  it("joins the delegate's providers only through registerProviderKind, which takes a described kind once", () => {
    const provider = { configSchema, create: () => create({ url: 'https://kv-lite.example', token: 't' }) };
    expect(() => registerProviderKind('not-described', provider)).toThrow(/not a described external manager kind/);
    expect(() => registerProviderKind('local', provider)).toThrow(/not a described external manager kind/);
    expect(() => registerProviderKind('vault', provider)).toThrow(/already registered/);
  });

  it('is named in the hints that list the secret stores', () => {
    const hints = staticCommands('Ctrl').map((command) => command.hint ?? '');
    expect(hints.find((hint) => hint.startsWith('Point at a secret already kept in'))).toContain('KV Lite (test kind)');
  });

  it("is listed in the CLI's help for manager add", async () => {
    const { code, stdout } = await runCliInProcess(['manager', 'add', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--kind KIND\s+one of [^\n]*\bkv-lite\b/);
  });
});
