/** Secret commands: create, list, reveal, update, version history, usage scope, delete. */
import type { ScopeEdit, ScopeEntry, SecretSummary } from '../../../src-shared/contract.js';
import { createSealRecipient, sealBindings, sealValues } from '../../../src-shared/sealed-box.js';
import { secretTypes } from '../../../src-shared/secret-type-basics.js';
import { UsageError, UserError } from '../cli-errors.js';
import { defineCommand, jsonOutput, type CommandVariant } from '../command.js';
import { consumerFromOptions, consumerOptions } from '../consumer-options.js';
import { count, INTERRUPTED_EXIT, runInterruptible } from '../interruptible-operation.js';
import type { Session } from '../session.js';
import { SecretInputError, SecretUsageError, isSecretType, parseScopeSpec, secretFieldOptions, secretFromOptions, secretTypeOptions } from '../secret-input.js';

const group = 'Secrets';

const referenceVariant: CommandVariant = {
  label: 'a reference',
  options: { reference: { required: true }, type: { value: 'text' } },
  requires: ['manager'],
};
const typeVariants = Object.entries(secretTypeOptions).map(
  ([type, options]): CommandVariant => ({ label: `--type ${type}`, options: { type: { required: type !== 'text', value: type }, ...options } }),
);

const createSecret = defineCommand({
  words: 'secret create',
  group,
  summary: 'value from stdin (secret fields too); M defaults to the default manager',
  options: {
    name: { type: 'string', value: 'N', help: 'the new secret' },
    description: { type: 'string', value: 'D', help: 'what it is for' },
    manager: { type: 'string', value: 'M', help: 'the manager that keeps the value' },
    reference: { type: 'string', value: 'REF', help: 'refer to an existing secret instead: Vault path#key, AWS name#jsonKey, Azure name[/version]' },
    adopt: { type: 'boolean', help: 'secret stores: take over a remote secret of that name that Strongroom did not write, adding a version on top' },
    type: { type: 'string', value: 'TYPE', help: `one of ${secretTypes.join(', ')} (default text)` },
    ...secretFieldOptions,
  },
  required: ['name'],
  variants: [referenceVariant, ...typeVariants],
  variantOf(values) {
    if (values.reference !== undefined) {
      if (values.type !== undefined && values.type !== 'text') throw new UsageError('A reference is read as text; leave out --type.');
      if (values.adopt) throw new UsageError('A reference never writes to the remote secret; leave out --adopt.');
      return referenceVariant;
    }
    const type = values.type ?? 'text';
    if (!isSecretType(type)) throw new UsageError(`Unknown --type "${type}".`);
    return typeVariants.find((variant) => variant.label === `--type ${type}`)!;
  },
  async run(session, _args, values) {
    const name = values.name!;
    if (values.reference !== undefined) {
      const manager = await session.findManager(values.manager!);
      const created = await session.call('secrets.createReference', { name, description: values.description, managerId: manager.id, reference: values.reference });
      session.say(`Created "${name}", a reference to ${created.reference} in "${manager.name}" (checked by reading it; the value is not stored here).`);
      return;
    }
    const manager = values.manager ? await session.findManager(values.manager) : null;
    let secret;
    try {
      secret = await secretFromOptions(values, { stdin: () => session.readStdin(), managerId: async (managerName) => (await session.findManager(managerName)).id });
    } catch (error) {
      if (error instanceof SecretUsageError) throw new UsageError(error.message);
      if (error instanceof SecretInputError) throw new UserError(error.message);
      throw error;
    }
    const sealedValue = await sealValues(await session.publicKey(), sealBindings.secretCreate([name]), [secret.payload]);
    const created = await session.call('secrets.create', {
      name,
      description: values.description,
      type: secret.type,
      metadata: secret.metadata,
      sealedValue,
      ...(manager ? { managerId: manager.id } : {}),
      adopt: values.adopt === true,
    });
    const facts = Object.entries(created.facts).map(([key, value]) => `${key} ${value}`).join(', ');
    session.say(`Created ${created.type} secret "${name}"${manager ? ` in "${manager.name}"` : ''}${facts ? ` (${facts})` : ''}.`);
  },
});

export const secretCommands = [
  createSecret,

  defineCommand({
    words: 'secret list',
    group,
    summary: 'every secret: name, type, version, last change, description',
    options: { ...jsonOutput },
    async run(session, _args, values) {
      const items: SecretSummary[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await session.call('secrets.list', { limit: 500, offset });
        items.push(...page.items);
        if (items.length >= page.total || page.items.length === 0) break;
      }
      if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
      else for (const item of items) session.write(`${item.name}\t${item.type}\tv${item.version}\t${item.updatedAt}\t${item.description ?? ''}\n`);
    },
  }),

  defineCommand({
    words: 'secret reveal',
    group,
    summary: 'the value (or file bytes) to stdout',
    args: ['N'],
    options: {
      version: { type: 'string', value: 'V', help: 'an older version' },
      ...consumerOptions,
    },
    async run(session, [name], values) {
      const consumer = consumerFromOptions(values);
      const version = values.version === undefined ? undefined : Number(values.version);
      if (version !== undefined && !Number.isInteger(version)) throw new UsageError('--version must be a number.');
      const secret = await session.findSecret(name!);
      const recipient = await createSealRecipient();
      const { sealed } = await session.call('secrets.reveal', { id: secret.id, version, consumer, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
      const [payload] = await recipient.open(sealed, sealBindings.secretReveal([secret.id]));
      if (secret.type === 'file') {
        session.io.stdout.write(Buffer.from((JSON.parse(payload!) as { contentBase64: string }).contentBase64, 'base64'));
      } else if (secret.type === 'text') {
        session.write(session.io.stdout.isTTY ? `${payload}\n` : payload!);
      } else {
        session.write(`${JSON.stringify(JSON.parse(payload!), null, 2)}\n`);
      }
    },
  }),

  defineCommand({
    words: 'secret update',
    group,
    summary: 'new value from stdin',
    args: ['N'],
    options: {},
    async run(session, [name]) {
      const secret = await session.findSecret(name!);
      if (secret.type !== 'text') throw new UserError(`"${secret.name}" is a ${secret.type} secret: update it in the app.`);
      const value = await session.readStdin();
      const sealedValue = await sealValues(await session.publicKey(), sealBindings.secretUpdate(secret.id), [value]);
      const updated = await session.call('secrets.update', { id: secret.id, sealedValue });
      session.say(`Updated secret "${secret.name}" to version ${updated.version}.`);
    },
  }),

  defineCommand({
    words: 'secret versions',
    group,
    summary: 'the version history',
    args: ['N'],
    options: { ...jsonOutput },
    async run(session, [name], values) {
      const secret = await session.findSecret(name!);
      const { items } = await session.call('secrets.versions', { id: secret.id });
      if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
      else for (const item of items) session.write(`v${item.version}${item.current ? ' (current)' : ''}\t${item.createdAt}\t${item.createdBy}\n`);
    },
  }),

  defineCommand({
    words: 'secret rollback',
    group,
    summary: 'a new version equal to version V',
    args: ['N'],
    options: { to: { type: 'string', value: 'V', help: 'the version to return to' } },
    required: ['to'],
    async run(session, [name], values) {
      const to = Number(values.to);
      if (!Number.isInteger(to)) throw new UsageError('"secret rollback" needs --to V.');
      const secret = await session.findSecret(name!);
      const rolled = await session.call('secrets.rollback', { id: secret.id, toVersion: to });
      session.say(`"${secret.name}" is now version ${rolled.version}, equal to version ${to}.`);
    },
  }),

  defineCommand({
    words: 'secret scope',
    group,
    summary: 'which applications and environments may use it; several names are edited in batches',
    args: ['N'],
    repeatsLastArg: true,
    options: {
      add: { type: 'string', multiple: true, value: 'SPEC', help: 'allow SPEC: APP:ENV, APP:*, APP:prod, APP:nonprod or *:*' },
      remove: { type: 'string', multiple: true, value: 'SPEC', help: 'no longer allow SPEC' },
      account: { type: 'boolean', help: 'also allow use outside an application' },
      'no-account': { type: 'boolean', help: 'no longer allow use outside an application' },
      unscoped: { type: 'boolean', help: 'anyone may use it' },
    },
    async run(session, names, values) {
      const apps = (await session.call('apps.list', {})).items;
      const toEntry = (spec: string): ScopeEntry => {
        let parsed;
        try {
          parsed = parseScopeSpec(spec);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        const app = parsed.application === null ? null : apps.find((candidate) => candidate.name.toLowerCase() === parsed.application!.toLowerCase());
        if (app === undefined) throw new UserError(`No application named "${parsed.application}".`);
        let environmentId: string | null = null;
        if (parsed.environment !== null) {
          const env = app!.environments.find((candidate) => candidate.name.toLowerCase() === parsed.environment!.toLowerCase());
          if (!env) throw new UserError(`Application "${app!.name}" has no environment named "${parsed.environment}".`);
          environmentId = env.id;
        }
        return { applicationId: app?.id ?? null, environmentId, environmentType: parsed.environmentType };
      };
      const edit: ScopeEdit = {
        add: (values.add ?? []).map(toEntry),
        remove: (values.remove ?? []).map(toEntry),
        ...(values.account ? { account: true } : values['no-account'] ? { account: false } : {}),
        unscoped: values.unscoped === true,
      };
      if (names.length > 1) return scopeMany(session, names, edit);
      const secret = await session.findSecret(names[0]!);
      // Loaded on use: the CLI's start stays small.
      const { applyScopeEdit } = await import('../../core/scope/scope-edit.js');
      const scope = applyScopeEdit(secret.scope, edit) ?? secret.scope;
      const updated = await session.call('secrets.setScope', { id: secret.id, scope });
      session.say(
        updated.scope.scoped
          ? `"${names[0]}" is scoped to ${updated.scope.entries.length} entr${updated.scope.entries.length === 1 ? 'y' : 'ies'}${updated.scope.scopeToAccount ? ' and the account' : ''}.`
          : `"${names[0]}" is unscoped.`,
      );
    },
  }),

  defineCommand({
    words: 'secret delete',
    group,
    summary: 'delete it and its history; in a secret store, only what Strongroom wrote goes remotely',
    args: ['N'],
    options: { 'keep-remote': { type: 'boolean', help: 'secret stores: leave every remote version in place, delete only the entry here' } },
    async run(session, [name], values) {
      const secret = await session.findSecret(name!);
      await session.call('secrets.delete', { id: secret.id, keepRemote: values['keep-remote'] === true });
      session.say(`Deleted secret "${secret.name}"${values['keep-remote'] ? ' here; its remote value was left in place' : ''}.`);
    },
  }),
];

/** One edit for several secrets, in batches main writes one transaction each; a bar on a terminal follows them, and Ctrl+C stops between batches. */
async function scopeMany(session: Session, names: string[], edit: ScopeEdit): Promise<number> {
  const ids: string[] = [];
  for (const name of names) ids.push((await session.findSecret(name)).id);
  const outcome = await runInterruptible(session, (operationId) => session.call('secrets.scopeMany', { operationId, ids, edit }));
  // A bulk edit is never CANCELLED as a whole: it returns a report saying it stopped.
  if (outcome.kind === 'stopped') throw new UserError(outcome.message);
  const report = outcome.value;
  const lookedAt = report.changed + report.unchanged + report.failedCount;
  if (report.stopped) session.say(`Stopped after ${count(lookedAt)} of ${count(report.total)} secrets; the other ${count(report.total - lookedAt)} were not touched.`);
  session.say(`Scope edited: ${report.changed} changed, ${report.unchanged} already so, ${report.failedCount} left as they were, of ${report.total} secrets.`);
  for (const failure of report.failed) session.say(`"${failure.name}": ${failure.reason}`);
  if (report.stopped) return INTERRUPTED_EXIT;
  // Ctrl+C came after the last batch began: the edit is whole, and the exit code is its own.
  if (outcome.interrupted) session.say('Ctrl+C came too late to stop the edit: it finished.');
  return report.failedCount > 0 ? 1 : 0;
}
