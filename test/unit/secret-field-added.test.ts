/**
 * Adding a field to a secret type is one entry in its field specs plus its
 * key in the type's schema (docs/architecture.md "Adding a field to a secret
 * type"). This test makes exactly those two edits, to a copy of the SSH
 * type's description, before anything that derives from them is loaded, and
 * finds the field in the form's starting values and controls, the detail
 * view, the rules across fields and the issue mapping, and the CLI's flags,
 * help, reading and usage errors, with no other edit.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { crossFieldIssues, secretFieldSpecs, type SecretFieldSpec } from '../../src-shared/secret-field-basics.js';
import { secretMetadataSchemas } from '../../src-shared/secret-types.js';
import type { SecretSummary } from '../../src-shared/contract.js';
import { runCliInProcess } from '../support/cli-in-process.js';

/** The new field: a jump host for key logins, with a starting value, a rule and a flag, all in its spec. */
const jumpHost = {
  part: 'metadata',
  label: 'Jump host',
  hint: 'The host the connection goes through.',
  input: 'text',
  initial: 'bastion.example.test',
  appliesWhen: (values) => values.auth !== 'password',
  requiredWhenApplies: 'A jump host is required for key logins',
  cli: { flag: 'jump-host', value: 'HOST', help: 'connect through HOST' },
} as const satisfies SecretFieldSpec;

// The two edits: the spec entry, and the schema key. Nothing else below is changed.
Object.assign(secretFieldSpecs, { ssh: { ...secretFieldSpecs.ssh, jumpHost } });
Object.assign(secretMetadataSchemas, { ssh: secretMetadataSchemas.ssh.extend({ jumpHost: z.string().regex(/^[a-z0-9.-]*$/, 'Use a host name').optional() }) });

// What derives from the specs is loaded only now, so it reads the edited description.
let form: typeof import('../../src-renderer/lib/typed-secret.js');
let detail: typeof import('../../src-renderer/lib/secret-types.js');
let fields: typeof import('../../src-renderer/components/TypedFields.js');
let errors: typeof import('../../src-renderer/lib/errors.js');
let input: typeof import('../../src-main/cli/secret-input.js');
beforeAll(async () => {
  [form, detail, fields, errors, input] = await Promise.all([
    import('../../src-renderer/lib/typed-secret.js'),
    import('../../src-renderer/lib/secret-types.js'),
    import('../../src-renderer/components/TypedFields.js'),
    import('../../src-renderer/lib/errors.js'),
    import('../../src-main/cli/secret-input.js'),
  ]);
});

/** The form's values with the new field; its type is derived from the specs as written in the source, which this test does not edit. */
type Values = import('../../src-renderer/lib/typed-secret.js').TypedValues;
const keyLogin = (jumpHost?: string) => ({ ...form.initialTypedValues('ssh'), username: 'deploy', auth: 'key', privateKey: 'KEY', ...(jumpHost === undefined ? {} : { jumpHost }) }) as Values;
const jumpHostOf = (values: Values) => (values as unknown as Record<string, unknown>).jumpHost;

// No store is opened: help and usage errors come before any.
const cli = (args: string[]) => runCliInProcess(['--data-dir', '/nonexistent/strongroom-field-added', ...args]);

describe('a field added to a secret type’s specs and schema only', () => {
  it('starts the form at its spec’s initial value, and is a control under the choices it applies to', () => {
    expect(jumpHostOf(form.initialTypedValues('ssh'))).toBe('bastion.example.test');
    expect(form.visibleFields('ssh', keyLogin())).toContain('jumpHost');
    expect(form.visibleFields('ssh', { ...keyLogin(), auth: 'password' })).not.toContain('jumpHost');
    const markup = renderToStaticMarkup(
      createElement(fields.TypedFields, { type: 'ssh', values: keyLogin(), errors: {}, mode: 'create', vaultManagers: [], onChange: () => {}, onFieldError: () => {} }),
    );
    expect(markup).toMatch(/<label for="secret-jumpHost" class="field__label">Jump host/);
    expect(markup).toContain('<p class="field__hint" id="secret-jumpHost-hint">The host the connection goes through.</p>');
  });

  it('is stored from the form, read back into it, and shown in the detail view', () => {
    const metadata = form.metadataOf('ssh', keyLogin(' hop.example.test '));
    expect(metadata.jumpHost).toBe('hop.example.test');
    expect(jumpHostOf(form.typedValuesFrom({ type: 'ssh', metadata } as unknown as SecretSummary))).toBe('hop.example.test');
    expect(detail.typedDetailRows('ssh', metadata, {})).toContainEqual({ label: 'Jump host', value: 'hop.example.test' });
  });

  it('brings its rule across fields, and its issues from the schema, main and the delegate land on its control', () => {
    expect(crossFieldIssues('ssh', { auth: 'key' }, { privateKey: 'KEY' })).toEqual([{ path: 'jumpHost', message: 'A jump host is required for key logins' }]);
    expect(crossFieldIssues('ssh', { auth: 'password' }, { password: 'pw' })).toEqual([]);
    expect(form.buildTyped('ssh', keyLogin('')).errors).toEqual({ jumpHost: 'A jump host is required for key logins' });
    expect(form.buildTyped('ssh', keyLogin('Not A Host')).errors).toEqual({ jumpHost: 'Use a host name' });
    expect(form.fieldOfIssuePath('metadata.jumpHost')).toBe('jumpHost');
    const refused = new errors.IpcCallError('secrets.create', { code: 'INVALID_REQUEST', message: 'Invalid request', issues: [{ path: 'metadata.jumpHost', message: 'Use a host name' }] });
    expect(form.typedErrorsFromServer(refused)).toEqual({ jumpHost: 'Use a host name' });
  });

  it('is a flag of `secret create --type ssh`, in its help, read into the metadata, at its initial value when left out', async () => {
    const { code, stdout } = await cli(['secret', 'create', '--help']);
    expect(code).toBe(0);
    const sshLine = stdout.split('\n').find((line) => line.startsWith('  secret create --type ssh '));
    expect(sshLine).toContain('[--jump-host HOST]');
    expect(stdout).toMatch(/--jump-host HOST\s+connect through HOST/);
    const sources = { stdin: () => Promise.resolve('KEY'), managerId: (name: string) => Promise.resolve(name) };
    const given = await input.secretFromOptions({ type: 'ssh', username: 'deploy', auth: 'key', 'jump-host': 'hop.example.test' } as never, sources);
    expect(given.metadata.jumpHost).toBe('hop.example.test');
    const leftOut = await input.secretFromOptions({ type: 'ssh', username: 'deploy', auth: 'key' } as never, sources);
    expect(leftOut.metadata.jumpHost).toBe('bastion.example.test');
    await expect(input.secretFromOptions({ type: 'ssh', username: 'deploy', auth: 'password', 'jump-host': 'h' } as never, sources)).rejects.toThrow(
      '--jump-host does not apply to --type ssh with --auth password.',
    );
  });

  it('is refused, as a usage error naming it, on a type that does not have it', async () => {
    const { code, stderr } = await cli(['secret', 'create', '--name', 'x', '--type', 'winrm', '--jump-host', 'h']);
    expect(code).toBe(2);
    expect(stderr).toContain('--jump-host does not apply to --type winrm.');
  });
});
