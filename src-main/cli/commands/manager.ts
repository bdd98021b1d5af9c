/** Secret manager commands (docs/managers.md). */
import { readFileSync } from 'node:fs';
import type { KeyVersionUse, ManagerSummary, ProviderTestResult } from '../../../src-shared/contract.js';
import { externalManagerKinds, isBuiltIn, kindCan, managerKindSpec, optionFetchingKinds } from '../../../src-shared/manager-kinds.js';
import { optionChoices } from '../../../src-shared/manager-options.js';
import { sealBindings, sealValues } from '../../../src-shared/sealed-box.js';
import { UsageError, UserError } from '../cli-errors.js';
import { defineCommand, jsonOutput } from '../command.js';
import { runKeyWork } from '../key-work-command.js';
import type { Session } from '../session.js';

const group = 'Secret managers (docs/managers.md)';
const config = {
  type: 'string',
  value: 'FILE',
  help: 'the configuration as JSON, secret fields included; it is sealed to the delegate and stored encrypted',
} as const;

/** Reads a manager's configuration file. Its content is never echoed: it holds credentials. */
function readConfigFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read the configuration file ${file}.`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    throw new UserError(`${file} is not a JSON object. docs/managers.md shows an example for each kind.`);
  }
  return text;
}

function kindOf<Kind extends string>(value: string | undefined, kinds: readonly Kind[], message: string): Kind {
  const kind = kinds.find((candidate) => candidate === value);
  if (!kind) throw new UsageError(message);
  return kind;
}

function healthLine(manager: ManagerSummary): string {
  if (kindCan(manager.kind, isBuiltIn)) return 'ok';
  if (manager.health.lastCheckAt === null) return 'not tested';
  return `${manager.health.ok ? 'ok' : 'FAILED'} at ${manager.health.lastCheckAt}${manager.health.warnings.length ? `, ${manager.health.warnings.length} warning(s)` : ''}`;
}

/** Which KMS key versions wrapped keys still need: the ones an admin must not destroy. */
function printKeyVersions(session: Session, manager: ManagerSummary, versions: KeyVersionUse[]): void {
  const noun = managerKindSpec(manager.kind)?.rewrapsKeys?.versionNoun;
  if (!noun) return;
  if (versions.length === 0) {
    session.say(`No ${noun} is in use yet: no secret is kept under this manager.`);
    return;
  }
  session.say(`${noun[0]!.toUpperCase()}${noun.slice(1)}s in use (do not destroy one while secrets need it):`);
  for (const use of versions) {
    const state = use.current === true ? ' (current)' : use.current === false ? ' (old: "strongroom manager rewrap" moves its keys to the current one)' : '';
    session.say(`     ${use.keyVersion}: ${use.secrets} secret(s), ${use.intermediateKeys} wrapped key(s)${state}`);
  }
}

function printTest(session: Session, manager: ManagerSummary, result: ProviderTestResult): void {
  session.say(`Testing "${manager.name}" (${manager.kind}), read-only:`);
  for (const check of result.checks) session.say(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  for (const [key, value] of Object.entries(result.facts)) session.say(`     ${key}: ${String(value)}`);
  for (const warning of result.warnings) session.say(`warning: ${warning}`);
  session.say(result.ok ? 'Connection test passed.' : `Connection test failed${result.facts.errorCode ? ` (${String(result.facts.errorCode)})` : ''}.`);
}

export const managerCommands = [
  defineCommand({
    words: 'manager add',
    group,
    summary: 'connect a secret manager',
    options: {
      name: { type: 'string', value: 'M', help: 'what to call it' },
      kind: {
        type: 'string',
        value: 'KIND',
        // Read when the help is shown, so it lists every kind described by then.
        get help() {
          return `one of ${externalManagerKinds.join(', ')}`;
        },
      },
      config,
      'read-only': { type: 'boolean', help: 'never write to it' },
      'no-test': { type: 'boolean', help: 'store it without the read-only connection test that otherwise must pass first' },
    },
    required: ['name', 'kind', 'config'],
    async run(session, _args, values) {
      const name = values.name!;
      const kind = kindOf(values.kind, externalManagerKinds, `--kind must be one of ${externalManagerKinds.join(', ')}.`);
      const skipTest = values['no-test'] === true;
      const sealedConfig = await sealValues(await session.publicKey(), sealBindings.managerConfig(name), [readConfigFile(values.config!)]);
      const outcome = await session.core.handle('managers.add', { name, kind, sealedConfig, readOnly: values['read-only'] === true, skipTest });
      if (!outcome.ok) {
        // A failed connection test arrives as the provider's code; other refusals (an invalid configuration, a taken name) do not.
        throw new UserError(`${outcome.error.message}${outcome.error.code.startsWith('PROVIDER_') ? ' Nothing was stored; to store it untested, add --no-test.' : ''}`);
      }
      const added = outcome.value as ManagerSummary;
      session.say(
        skipTest
          ? `Added ${added.readOnly ? 'read-only ' : ''}${kind} manager "${added.name}" without testing it. Check it with: strongroom manager test "${added.name}"`
          : `Added ${added.readOnly ? 'read-only ' : ''}${kind} manager "${added.name}": ${added.health.summary ?? 'connection test passed'}.`,
      );
    },
  }),

  defineCommand({
    words: 'manager update',
    group,
    summary: "change a manager's credentials, name or write access",
    args: ['M'],
    options: {
      config,
      rename: { type: 'string', value: 'N', help: 'the new name' },
      'read-only': { type: 'boolean', help: 'stop writing to it' },
      writable: { type: 'boolean', help: 'write to it again' },
    },
    async run(session, [nameOrId], values) {
      if (values['read-only'] && values.writable) throw new UsageError('Give --read-only or --writable, not both.');
      const manager = await session.findManager(nameOrId!);
      const name = values.rename ?? manager.name;
      const sealedConfig = values.config ? await sealValues(await session.publicKey(), sealBindings.managerConfig(name), [readConfigFile(values.config)]) : undefined;
      const readOnly = values['read-only'] ? true : values.writable ? false : undefined;
      const updated = await session.call('managers.update', { id: manager.id, ...(values.rename ? { name } : {}), ...(sealedConfig ? { sealedConfig } : {}), ...(readOnly !== undefined ? { readOnly } : {}) });
      session.say(`Updated manager "${updated.name}".${sealedConfig ? ' Its new credentials are untested: run "strongroom manager test".' : ''}`);
    },
  }),

  defineCommand({
    words: 'manager list',
    group,
    summary: 'managers, with their secrets and last health check',
    options: { ...jsonOutput },
    async run(session, _args, values) {
      const { items } = await session.call('managers.list', {});
      if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
      else {
        for (const item of items) {
          const flags = [item.isDefault ? 'default' : null, item.readOnly ? 'read-only' : null].filter(Boolean).join(',');
          session.write(`${item.name}\t${item.kind}\t${flags || '-'}\t${item.secretCount} secret(s)\t${healthLine(item)}\n`);
        }
      }
    },
  }),

  defineCommand({
    words: 'manager orphans',
    group,
    summary: 'writes into secret stores a failed or interrupted batch left unconfirmed: names to check and clean up',
    optionalArgs: ['M'],
    options: { ...jsonOutput },
    async run(session, [nameOrId], values) {
      const managerId = nameOrId ? (await session.findManager(nameOrId)).id : undefined;
      const { items } = await session.call('managers.pendingWrites', managerId ? { managerId } : {});
      if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
      else if (items.length === 0) session.say('No unconfirmed writes: every value Strongroom wrote into a secret store belongs to a secret here.');
      else {
        for (const item of items) session.write(`${item.id}\t${item.managerName}\t${item.remoteName}\t${item.createdAt}\n`);
        session.say(
          `${items.length} unconfirmed write(s) (id, manager, name, when): each name may hold a value Strongroom wrote with no secret here. Check it in the store, then delete it there or create a reference to it, and drop it from this list with "strongroom manager orphans forget ID".`,
        );
      }
    },
  }),

  defineCommand({
    words: 'manager orphans forget',
    group,
    summary: 'drop an unconfirmed write from the list once the store was checked at its name (Strongroom deletes nothing remotely)',
    args: ['ID'],
    options: {},
    async run(session, [id]) {
      if (!/^[1-9]\d{0,15}$/.test(id!)) throw new UsageError(`"${id}" is not an id: "strongroom manager orphans" lists the ids in its first column.`);
      const forgotten = await session.call('managers.forgetPendingWrite', { id: Number(id) });
      session.say(`Forgot the unconfirmed write of "${forgotten.remoteName}" in "${forgotten.managerName}"; whatever is at that name in the store is left as it is.`);
    },
  }),

  defineCommand({
    words: 'manager test',
    group,
    summary: 'read-only connection test; exit 1 when a check fails',
    args: ['M'],
    options: { ...jsonOutput },
    async run(session, [nameOrId], values) {
      const manager = await session.findManager(nameOrId!);
      if (kindCan(manager.kind, isBuiltIn)) throw new UserError('The built-in store needs no connection test.');
      const { result, manager: tested } = await session.call('managers.test', { id: manager.id });
      if (values.json) session.write(`${JSON.stringify({ manager: tested.name, kind: tested.kind, ...result, renewal: tested.health.renewal, keyVersions: tested.health.keyVersions }, null, 2)}\n`);
      else {
        printTest(session, tested, result);
        printKeyVersions(session, tested, tested.health.keyVersions);
      }
      return result.ok ? 0 : 1;
    },
  }),

  defineCommand({
    words: 'manager health',
    group,
    summary: 'the last connection test, and for a KMS manager the key versions its secrets still need',
    args: ['M'],
    options: { ...jsonOutput },
    async run(session, [nameOrId], values) {
      const manager = await session.findManager(nameOrId!);
      const { health } = manager;
      if (values.json) {
        session.write(`${JSON.stringify({ manager: manager.name, kind: manager.kind, ...health }, null, 2)}\n`);
        return;
      }
      session.say(`"${manager.name}" (${manager.kind}): ${healthLine(manager)}${health.summary ? `: ${health.summary}` : ''}`);
      for (const [key, value] of Object.entries(health.facts)) session.say(`     ${key}: ${String(value)}`);
      for (const warning of health.warnings) session.say(`warning: ${warning}`);
      printKeyVersions(session, manager, health.keyVersions);
    },
  }),

  defineCommand({
    words: 'manager rewrap',
    group,
    summary: "after the KMS key of M rotated: wrap every key again under its current version; resumes a run that stopped",
    args: ['M'],
    options: { ...jsonOutput },
    async run(session, [nameOrId], values) {
      const manager = await session.findManager(nameOrId!);
      if (!kindCan(manager.kind, (spec) => spec.rewrapsKeys !== null)) throw new UserError(`"${manager.name}" is a ${manager.kind} manager: only AWS KMS and Cloud KMS managers have keys to re-wrap.`);
      const outcome = await runKeyWork(session, {
        start: () => session.call('managers.rewrap', { id: manager.id }),
        progressOf: (event) => (event.type === 'managers.rewrapProgress' && event.managerId === manager.id ? { done: event.done, total: event.total, detail: 're-wrapped' } : null),
        title: `the re-wrap of "${manager.name}"`,
        again: `strongroom manager rewrap ${manager.name}`,
      });
      if ('exitCode' in outcome) return outcome.exitCode;
      const { report } = outcome;
      if (values.json) {
        session.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      session.say(`${report.resumed ? 'Resumed and finished' : 'Finished'}: ${report.rewrapped} wrapped key(s) of "${manager.name}" re-wrapped under ${report.keyVersion}.`);
      printKeyVersions(session, manager, report.keyVersions);
    },
  }),

  defineCommand({
    words: 'manager default',
    group,
    summary: 'where new secrets go (existing ones stay)',
    args: ['M'],
    options: {},
    async run(session, [nameOrId]) {
      const manager = await session.findManager(nameOrId!);
      await session.call('managers.setDefault', { id: manager.id });
      session.say(`New secrets now go to "${manager.name}". Existing secrets stay where they are.`);
    },
  }),

  defineCommand({
    words: 'manager remove',
    group,
    summary: 'refused while M holds secrets',
    args: ['M'],
    options: {},
    async run(session, [nameOrId]) {
      const manager = await session.findManager(nameOrId!);
      await session.call('managers.remove', { id: manager.id });
      session.say(`Removed manager "${manager.name}".`);
    },
  }),

  defineCommand({
    words: 'manager options',
    group,
    summary: 'the KV mounts or vaults those credentials see',
    options: {
      kind: {
        type: 'string',
        get value() {
          return optionFetchingKinds.join('|');
        },
        help: 'the kind of the credentials',
      },
      config,
      ...jsonOutput,
    },
    required: ['kind', 'config'],
    async run(session, _args, values) {
      const kind = kindOf(values.kind, optionFetchingKinds, `"manager options" needs --kind ${optionFetchingKinds.join(' or --kind ')}.`);
      const sealedConfig = await sealValues(await session.publicKey(), sealBindings.managerConfig(''), [readConfigFile(values.config!)]);
      const options = await session.call('managers.fetchOptions', { kind, sealedConfig });
      if (values.json) session.write(`${JSON.stringify(options, null, 2)}\n`);
      else for (const choice of optionChoices(options)) session.write(`${choice.columns.join('\t')}\n`);
    },
  }),
];
