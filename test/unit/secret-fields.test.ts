/**
 * Secret type fields are data: one spec per field (secret-field-basics.ts),
 * joined to the zod schemas (secret-fields.ts), and the form, the detail
 * view, the issue mapping and the CLI all derive from it. These tests prove
 * the derivation, so a field added to a spec shows up everywhere, and a spec
 * that drifts from its schema fails here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';
import type { ManagerSummary, SecretSummary } from '../../src-shared/contract.js';
import { applicableFields, cliFlagOf, secretFieldSpecs, secretFields, secretFieldsOfType, type SecretFieldSpec } from '../../src-shared/secret-fields.js';
import { secretMetadataSchemas, secretPayloadSchemas, secretTypes, type SecretType } from '../../src-shared/secret-types.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { TypedFields } from '../../src-renderer/components/TypedFields.js';
import { secretFieldsOf, typedDetailRows } from '../../src-renderer/lib/secret-types.js';
import { fieldOfIssuePath, initialTypedValues, metadataOf, typedValuesFrom, visibleControls, type TypedValues } from '../../src-renderer/lib/typed-secret.js';

const structuredTypes = secretTypes.filter((type) => type !== 'text');

const shapeKeys = (schema: unknown): string[] | null => (typeof schema === 'object' && schema !== null && 'shape' in schema ? Object.keys((schema as { shape: object }).shape) : null);

/** Every combination of the choices that decide which fields apply (auth, ticket source, SSL…), so every field applies in at least one. */
function choiceVariants(type: SecretType): TypedValues[] {
  let variants: TypedValues[] = [initialTypedValues(type)];
  for (const { key, spec } of secretFieldsOfType(type)) {
    const choices: unknown[] | null = spec.options ? spec.options.map((option) => option.value) : spec.input === 'checkbox' ? [false, true] : null;
    if (!choices) continue;
    variants = variants.flatMap((values) => choices.map((choice) => ({ ...values, [key]: choice })));
  }
  return variants;
}

const vaultManager = { id: 'm1', name: 'Vault one', kind: 'vault', role: 'secret-store' } as unknown as ManagerSummary;

describe('secret field specs', () => {
  it('has one spec for every key of every type’s metadata and payload schema, and no other', () => {
    for (const type of secretTypes) {
      const metadataKeys = shapeKeys(secretMetadataSchemas[type])!;
      // A text secret's payload is its value itself.
      const payloadKeys = shapeKeys(secretPayloadSchemas[type]) ?? ['value'];
      const specs = secretFieldSpecs[type] as Record<string, SecretFieldSpec>;
      expect(Object.keys(specs).sort(), type).toEqual([...metadataKeys, ...payloadKeys].sort());
      for (const key of metadataKeys) expect(specs[key]!.part, `${type}.${key}`).toBe('metadata');
      for (const key of payloadKeys) expect(specs[key]!.part, `${type}.${key}`).toBe('payload');
    }
  });

  it('validates each field with the very schema secret-types.ts holds, and names where its issues arrive', () => {
    for (const type of secretTypes) {
      for (const field of secretFields[type]) {
        const owner = field.part === 'metadata' ? secretMetadataSchemas[type] : secretPayloadSchemas[type];
        const expected = 'shape' in owner ? (owner.shape as Record<string, unknown>)[field.key] : owner;
        expect(field.schema, `${type}.${field.key}`).toBe(expected);
        expect(field.issuePath).toBe(field.part === 'metadata' ? `metadata.${field.key}` : field.key);
      }
    }
  });

  it('maps every field’s issue path onto the form control that edits it', () => {
    for (const type of structuredTypes) {
      for (const field of secretFields[type]) expect(fieldOfIssuePath(field.issuePath), `${type}.${field.key}`).toBe(field.control ?? field.key);
    }
    expect(fieldOfIssuePath('metadata.size')).toBe('file');
    expect(fieldOfIssuePath('payload')).toBeNull();
  });

  it('gives every field of a structured type a control the typed form draws, and every field applies under some choice', () => {
    for (const type of structuredTypes) {
      const shown = new Set(choiceVariants(type).flatMap((values) => applicableFields(type, values as unknown as Record<string, unknown>).map(({ key }) => key)));
      expect([...shown].sort(), type).toEqual(Object.keys(secretFieldSpecs[type]).sort());
      // visibleControls throws for a field without a control.
      for (const values of choiceVariants(type)) expect(visibleControls(type, values).length).toBeGreaterThan(0);
    }
  });
});

describe('the secret form, from the specs', () => {
  it('renders each applicable field of each type under its spec’s label, tied to its control', () => {
    for (const type of structuredTypes) {
      for (const values of choiceVariants(type)) {
        const markup = renderToStaticMarkup(
          createElement(TypedFields, { type, values, errors: {}, mode: 'create', vaultManagers: [vaultManager], onChange: () => {}, onFieldError: () => {} }),
        );
        for (const { field, spec } of visibleControls(type, values)) {
          const escaped = spec.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const labelled =
            spec.input === 'choice'
              ? new RegExp(`<legend class="field__label">${escaped}</legend>`)
              : spec.input === 'checkbox'
                ? new RegExp(`<label class="choice"><input type="checkbox" id="secret-${field}"[^>]*/>${escaped}</label>`)
                : new RegExp(`<label for="secret-${field}" class="field__label">${escaped}`);
          expect(markup, `${type} ${field} with ${JSON.stringify({ auth: values.auth, useSsl: values.useSsl })}`).toMatch(labelled);
          if (spec.input !== 'choice') expect(markup).toMatch(new RegExp(`<(input|textarea|select) [^>]*id="secret-${field}"`));
        }
      }
    }
  });

  it('describes a field by its error and its hint, and marks it invalid while it has an error', () => {
    const values = { ...initialTypedValues('ssh'), auth: 'key-path' };
    const markup = renderToStaticMarkup(
      createElement(TypedFields, { type: 'ssh', values, errors: { keyPath: 'Use an absolute path on this machine' }, mode: 'create', vaultManagers: [], onChange: () => {}, onFieldError: () => {} }),
    );
    expect(markup).toMatch(/<input id="secret-keyPath" aria-invalid="true" aria-describedby="secret-keyPath-error secret-keyPath-hint"/);
    expect(markup).toContain(`<p class="field__hint" id="secret-keyPath-hint">${secretFieldSpecs.ssh.keyPath.hint}</p>`);
    expect(markup).toContain('<p class="field__error" id="secret-keyPath-error">Use an absolute path on this machine</p>');
    // Without an error or a hint, a control is described by nothing and not marked invalid.
    expect(markup).toMatch(/<input id="secret-username" class=/);
  });
});

describe('the form’s values, from the specs', () => {
  it('turns every applicable metadata field into metadata and back into the form by its kind of input', () => {
    for (const type of structuredTypes.filter((candidate) => candidate !== 'file')) {
      for (const choices of choiceVariants(type)) {
        const filled = { ...choices } as unknown as Record<string, unknown>;
        for (const { key, spec } of secretFieldsOfType(type)) {
          if (spec.input === 'text') filled[key] = ` ${key}-value `;
          if (spec.input === 'manager') filled[key] = 'm1';
          if (spec.input === 'number') filled[key] = '2222';
        }
        const values = filled as unknown as TypedValues;
        const metadata = metadataOf(type, values);
        const applicable = applicableFields(type, filled).filter(({ spec }) => spec.part === 'metadata');
        expect(Object.keys(metadata).sort(), type).toEqual(applicable.map(({ key }) => key).sort());
        for (const { key, spec } of applicable) if (spec.input === 'text') expect(metadata[key]).toBe(`${key}-value`);
        const stored = { type, metadata } as unknown as SecretSummary;
        expect(metadataOf(type, typedValuesFrom(stored)), type).toEqual(metadata);
      }
    }
  });
});

describe('the detail view, from the specs', () => {
  it('labels every metadata row by its spec and shows a choice by its label', () => {
    for (const type of structuredTypes) {
      const specs = secretFieldSpecs[type] as Record<string, SecretFieldSpec>;
      const metadata = Object.fromEntries(
        Object.entries(specs)
          .filter(([, spec]) => spec.part === 'metadata')
          .map(([key, spec]) => [key, spec.options ? spec.options[0]!.value : spec.input === 'checkbox' ? true : spec.input === 'number' ? 22 : `${key}-value`]),
      );
      const rows = typedDetailRows(type, metadata, {});
      expect(rows.map((row) => row.label), type).toEqual(Object.keys(metadata).map((key) => specs[key]!.label));
      for (const spec of Object.values(specs)) {
        if (spec.options) expect(rows.find((row) => row.label === spec.label)!.value).toBe(spec.options[0]!.label);
      }
    }
  });

  it('masks exactly the payload fields that apply to the stored metadata', () => {
    for (const type of structuredTypes.filter((candidate) => candidate !== 'file')) {
      for (const values of choiceVariants(type)) {
        const metadata = values as unknown as Record<string, unknown>;
        const payload = applicableFields(type, metadata).filter(({ spec }) => spec.part === 'payload');
        expect(secretFieldsOf(type, metadata).map((field) => [field.key, field.label]), type).toEqual(payload.map(({ key, spec }) => [key, spec.label]));
      }
    }
  });
});

describe('the CLI, from the specs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'strongroom-fields-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const cli = (args: string[]) => runCliInProcess(['--data-dir', dataDir, ...args]);

  const flagsOf = (type: SecretType) => secretFieldsOfType(type).flatMap(({ spec }) => (cliFlagOf(spec) ? [{ spec, flag: cliFlagOf(spec)! }] : []));
  const allFlags = [...new Set(secretTypes.flatMap((type) => flagsOf(type).map(({ flag }) => flag.flag)))];

  it("lists each type's flags from its specs in secret create --help, with their help text", async () => {
    const { code, stdout } = await cli(['secret', 'create', '--help']);
    expect(code).toBe(0);
    for (const type of secretTypes) {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(`  secret create ${type === 'text' ? '[--type text]' : `--type ${type} `}`));
      expect(line, type).toBeDefined();
      const listed = [...line!.matchAll(/--([a-z-]+)/g)].map((match) => match[1]).filter((flag) => flag !== 'type');
      expect(listed.sort(), type).toEqual(flagsOf(type).map(({ flag }) => flag.flag).sort());
      for (const { spec, flag } of flagsOf(type)) {
        if (flag.required) expect(line).toMatch(new RegExp(`(^|[^[])--${flag.flag}\\b`));
        if (spec.options) expect(line).toContain(`--${flag.flag} ${spec.options.map((option) => option.value).join('|')}`);
      }
    }
    for (const type of secretTypes) for (const { flag } of flagsOf(type)) expect(stdout).toMatch(new RegExp(`--${flag.flag}\\b[^\\n]*\\s${flag.help.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('refuses, as a usage error naming it, a flag whose field the chosen type does not have', async () => {
    for (const type of secretTypes) {
      const own = new Set(flagsOf(type).map(({ flag }) => flag.flag));
      const foreign = allFlags.find((flag) => !own.has(flag))!;
      const { code, stderr } = await cli(['secret', 'create', '--name', 'x', '--type', type, `--${foreign}`, ...(isBooleanFlag(foreign) ? [] : ['v'])]);
      expect(code, `${type} --${foreign}`).toBe(2);
      expect(stderr).toContain(`--${foreign} does not apply to --type ${type}.`);
    }
  });
});

/** A checkbox's flag takes no value. */
function isBooleanFlag(flag: string): boolean {
  return secretTypes.some((type) => secretFieldsOfType(type).some(({ spec }) => cliFlagOf(spec)?.flag === flag && spec.input === 'checkbox'));
}
