/**
 * The `strongroom` command: scripting and headless use of the same core the
 * desktop app drives. Main's role runs in this process; the delegate is a
 * child, and values reach it sealed exactly as from the renderer.
 *
 * Exit codes: 0 success, 1 a user error (one line on stderr), 2 a usage error.
 * The streams and core options are injected so tests can run it in-process
 * and watch every message main exchanges with the delegate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAppCore, type AppCore, type AppCoreOptions } from '../core/app-core.js';
import { defaultDataDir } from '../core/paths.js';
import {
  createSealRecipient,
  parseImportFile,
  sealBindings,
  sealValues,
  type Channel,
  type ChannelRequest,
  type ChannelResult,
  type Consumer,
  type IpcError,
  type ManagerSummary,
  type ProviderTestResult,
  type ReportStage,
  type ScopeEntry,
  type SecretSummary,
  externalManagerKinds,
} from '../../src-shared/contract.js';
import { randomUUID } from 'node:crypto';
import { readHiddenLine } from './prompt.js';
import { UsageError, UserError } from './cli-errors.js';
import { MIGRATE_OPTIONS, MIGRATE_SUBCOMMANDS, MIGRATE_USAGE, migrateCommand } from './migrate-command.js';
import { SecretInputError, SecretUsageError, parseScopeSpec, secretFromOptions } from './secret-input.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

export type CliCoreOptions = Partial<Omit<AppCoreOptions, 'dataDir' | 'actor'>>;

const USAGE = `Usage: strongroom [--data-dir DIR] [--passphrase-file FILE] <command>

Store:
  init                                   create a new store
  audit verify                           check the trail (and every secret's row)
  audit accept-break                     after a break in the trail's end was looked
                                         into: record it and allow writes again
  export --out FILE --export-passphrase-file F
  import --from FILE [--export-passphrase-file F] [--manager M]
                                         a backup (restored into an empty store),
                                         or .env / .csv text secrets (into M)

Secrets:
  secret create --name N [--description D] [--manager M] [--type TYPE ...]
                                         value from stdin; M defaults to the default manager
  secret create --name N --reference REF --manager M [--description D]
                                         a reference to an existing secret in a store:
                                         Vault path#key, AWS name#jsonKey, Azure name[/version]
      --type file --file PATH
      --type ssh --username U --auth password|key|key-path [--key-file PATH]
                 [--key-path PATH] [--key-passphrase-file F] [--port P]
      --type ssh-kerberos --principal P --realm R [--kdc HOST:PORT]
                 (--keytab PATH | password on stdin) [--port P]
      --type ssh-vault-certificate --username U --mount M --role R [--key-file PATH]
      --type winrm --username U [--domain D] --auth ntlm|kerberos|basic [--realm R]
                 [--keytab PATH] [--ssl] [--skip-cert-check] [--no-profile] [--port P]
  secret list [--json]
  secret reveal N [--version V] [--app A --env E]   value (or file bytes) to stdout
  secret update N                        new value from stdin
  secret versions N [--json]
  secret rollback N --to V
  secret scope N [--add SPEC]... [--remove SPEC]... [--account | --no-account] [--unscoped]
                 SPEC: APP:ENV, APP:*, APP:prod, APP:nonprod or *:*
  secret delete N

Secret managers (docs/managers.md):
  manager add --name M --kind KIND --config FILE [--read-only]
                 KIND: gcp-kms, aws-kms, aws-secrets-manager, azure-key-vault, vault
                 FILE: the configuration as JSON, secret fields included; it is
                 sealed to the delegate and stored encrypted
  manager update M [--config FILE] [--rename N] [--read-only | --writable]
  manager list [--json]
  manager test M [--json]                 read-only; exit 1 when a check fails
  manager default M                       where new secrets go (existing ones stay)
  manager remove M                        refused while M holds secrets
  manager options --kind vault|azure-key-vault --config FILE [--json]
                                         the KV mounts or vaults those credentials see

${MIGRATE_USAGE}

Applications:
  app create A | app delete A | app list [--json]
  env create A E --type prod|nonprod | env delete A E

Connection tests (exit 0 when login and probe succeed, 1 otherwise):
  test ssh --secret N --host H [--port P] [--app A --env E] [--accept-new-host-key] [--json]
  test winrm --secret N --host H [--port P] [--app A --env E] [--json]

The passphrase comes from --passphrase-file (its first line) or a prompt on a
terminal; never from an argument or the environment. Values read from stdin
lose one trailing newline. Without --app/--env, only unscoped or
account-scoped secrets reveal.`;


const OPTIONS = {
  'data-dir': { type: 'string' },
  'passphrase-file': { type: 'string' },
  'export-passphrase-file': { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'string' },
  to: { type: 'string' },
  app: { type: 'string' },
  env: { type: 'string' },
  add: { type: 'string', multiple: true },
  remove: { type: 'string', multiple: true },
  account: { type: 'boolean' },
  'no-account': { type: 'boolean' },
  unscoped: { type: 'boolean' },
  out: { type: 'string' },
  from: { type: 'string' },
  type: { type: 'string' },
  file: { type: 'string' },
  username: { type: 'string' },
  auth: { type: 'string' },
  'key-file': { type: 'string' },
  'key-passphrase-file': { type: 'string' },
  'key-path': { type: 'string' },
  principal: { type: 'string' },
  realm: { type: 'string' },
  kdc: { type: 'string' },
  keytab: { type: 'string' },
  domain: { type: 'string' },
  ssl: { type: 'boolean' },
  'skip-cert-check': { type: 'boolean' },
  'no-profile': { type: 'boolean' },
  port: { type: 'string' },
  mount: { type: 'string' },
  role: { type: 'string' },
  secret: { type: 'string', multiple: true },
  host: { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  manager: { type: 'string' },
  reference: { type: 'string' },
  kind: { type: 'string' },
  config: { type: 'string' },
  'read-only': { type: 'boolean' },
  writable: { type: 'boolean' },
  rename: { type: 'string' },
  ...MIGRATE_OPTIONS,
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Commands: how many positional arguments each takes after its words, and whether it needs an unlocked store. */
const COMMANDS: Record<string, { args: number; unlock: boolean; optionalArgs?: number }> = {
  init: { args: 0, unlock: false },
  'audit verify': { args: 0, unlock: true },
  'audit accept-break': { args: 0, unlock: true },
  export: { args: 0, unlock: true },
  import: { args: 0, unlock: true },
  'secret create': { args: 0, unlock: true },
  'secret list': { args: 0, unlock: true },
  'secret reveal': { args: 1, unlock: true },
  'secret update': { args: 1, unlock: true },
  'secret versions': { args: 1, unlock: true },
  'secret rollback': { args: 1, unlock: true },
  'secret scope': { args: 1, unlock: true },
  'secret delete': { args: 1, unlock: true },
  'app create': { args: 1, unlock: true },
  'app delete': { args: 1, unlock: true },
  'app list': { args: 0, unlock: true },
  'env create': { args: 2, unlock: true },
  'env delete': { args: 2, unlock: true },
  'test ssh': { args: 0, unlock: true },
  'test winrm': { args: 0, unlock: true },
  'manager add': { args: 0, unlock: true },
  'manager update': { args: 1, unlock: true },
  'manager list': { args: 0, unlock: true },
  'manager test': { args: 1, unlock: true },
  'manager default': { args: 1, unlock: true },
  'manager remove': { args: 1, unlock: true },
  'manager options': { args: 0, unlock: true },
  migrate: { args: 0, unlock: true },
  'migrate status': { args: 0, optionalArgs: 1, unlock: true },
  'migrate report': { args: 1, unlock: true },
  'migrate resume': { args: 1, unlock: true },
  'migrate cancel': { args: 1, unlock: true },
};

function describe(error: IpcError): string {
  if (error.issues?.length) return error.issues.map((issue) => `${issue.path || 'request'}: ${issue.message}`).join('; ');
  if (error.conflicts?.length) return `${error.message} (${error.conflicts.slice(0, 10).join(', ')}${error.conflicts.length > 10 ? ', …' : ''})`;
  return error.message;
}

export class Session {
  constructor(
    readonly core: AppCore,
    readonly io: CliIo,
    readonly values: Values,
  ) {}

  async call<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
    const result = await this.core.handle(channel, request);
    if (!result.ok) throw new UserError(describe(result.error));
    return result.value as ChannelResult<C>;
  }

  async publicKey(): Promise<string> {
    return (await this.call('app.status', {})).delegatePublicKey!;
  }

  async readStdin(): Promise<string> {
    if (this.io.stdin.isTTY) this.io.stderr.write('Enter the value, then press Ctrl+D:\n');
    const chunks: Buffer[] = [];
    for await (const chunk of this.io.stdin) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }

  async passphrase(file: string | undefined, confirm: boolean, what = 'master passphrase'): Promise<string> {
    if (file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new UserError(`Cannot read the passphrase file ${file}.`);
      }
      const passphrase = text.split(/\r?\n/)[0] ?? '';
      if (!passphrase) throw new UserError(`The passphrase file ${file} is empty.`);
      return passphrase;
    }
    if (!this.io.stdin.isTTY) throw new UserError(`No ${what}: give it in a file (see --help), or run strongroom in a terminal.`);
    const passphrase = await readHiddenLine(this.io, confirm ? `New ${what}: ` : `${what[0]!.toUpperCase()}${what.slice(1)}: `);
    if (confirm && (await readHiddenLine(this.io, 'Repeat it: ')) !== passphrase) throw new UserError('The passphrases do not match.');
    return passphrase;
  }

  async findSecret(name: string): Promise<SecretSummary> {
    const { items } = await this.call('secrets.list', { query: name, limit: 500 });
    const found = items.find((item) => item.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new UserError(`No secret named "${name}".`);
    return found;
  }

  async findApplication(name: string) {
    const { items } = await this.call('apps.list', {});
    const found = items.find((app) => app.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new UserError(`No application named "${name}".`);
    return found;
  }

  async findManager(nameOrId: string): Promise<ManagerSummary> {
    const { items } = await this.call('managers.list', {});
    const found = items.find((item) => item.id === nameOrId) ?? items.find((item) => item.name.toLowerCase() === nameOrId.toLowerCase());
    if (!found) throw new UserError(`No secret manager named "${nameOrId}". See "strongroom manager list".`);
    return found;
  }

  write(text: string): void {
    this.io.stdout.write(text);
  }

  say(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}

async function createSecret(session: Session): Promise<void> {
  const { values } = session;
  const name = values.name;
  if (!name) throw new UsageError('"secret create" needs --name N.');
  if (values.reference !== undefined) {
    if (!values.manager) throw new UsageError('"secret create --reference REF" needs --manager M: the store the reference points into.');
    if (values.type !== undefined && values.type !== 'text') throw new UsageError('A reference is read as text; leave out --type.');
    const manager = await session.findManager(values.manager);
    const created = await session.call('secrets.createReference', { name, description: values.description, managerId: manager.id, reference: values.reference });
    session.say(`Created "${name}", a reference to ${created.reference} in "${manager.name}" (checked by reading it; the value is not stored here).`);
    return;
  }
  const manager = values.manager ? await session.findManager(values.manager) : null;
  let secret;
  try {
    secret = await secretFromOptions(values, () => session.readStdin());
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
  });
  const facts = Object.entries(created.facts).map(([key, value]) => `${key} ${value}`).join(', ');
  session.say(`Created ${created.type} secret "${name}"${manager ? ` in "${manager.name}"` : ''}${facts ? ` (${facts})` : ''}.`);
}

/** Reads a manager's configuration file. Its content is never echoed: it holds credentials. */
function readConfigFile(file: string | undefined, command: string): string {
  if (!file) throw new UsageError(`"${command}" needs --config FILE.`);
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

function kindOf(value: string | undefined): (typeof externalManagerKinds)[number] {
  const kind = externalManagerKinds.find((candidate) => candidate === value);
  if (!kind) throw new UsageError(`--kind must be one of ${externalManagerKinds.join(', ')}.`);
  return kind;
}

function healthLine(manager: ManagerSummary): string {
  if (manager.kind === 'local') return 'ok';
  if (manager.health.lastCheckAt === null) return 'not tested';
  return `${manager.health.ok ? 'ok' : 'FAILED'} at ${manager.health.lastCheckAt}${manager.health.warnings.length ? `, ${manager.health.warnings.length} warning(s)` : ''}`;
}

function printTest(session: Session, manager: ManagerSummary, result: ProviderTestResult): void {
  session.say(`Testing "${manager.name}" (${manager.kind}), read-only:`);
  for (const check of result.checks) session.say(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  for (const [key, value] of Object.entries(result.facts)) session.say(`     ${key}: ${String(value)}`);
  for (const warning of result.warnings) session.say(`warning: ${warning}`);
  session.say(result.ok ? 'Connection test passed.' : `Connection test failed${result.facts.errorCode ? ` (${String(result.facts.errorCode)})` : ''}.`);
}

async function managerCommand(session: Session, command: string, first: string | undefined): Promise<number> {
  const { values } = session;
  switch (command) {
    case 'manager add': {
      if (!values.name) throw new UsageError('"manager add" needs --name M.');
      const kind = kindOf(values.kind);
      const config = readConfigFile(values.config, 'manager add');
      const sealedConfig = await sealValues(await session.publicKey(), sealBindings.managerConfig(values.name), [config]);
      const added = await session.call('managers.add', { name: values.name, kind, sealedConfig, readOnly: values['read-only'] === true });
      session.say(`Added ${added.readOnly ? 'read-only ' : ''}${kind} manager "${added.name}". Check it with: strongroom manager test "${added.name}"`);
      return 0;
    }
    case 'manager update': {
      if (values['read-only'] && values.writable) throw new UsageError('Give --read-only or --writable, not both.');
      const manager = await session.findManager(first!);
      const name = values.rename ?? manager.name;
      const sealedConfig = values.config
        ? await sealValues(await session.publicKey(), sealBindings.managerConfig(name), [readConfigFile(values.config, 'manager update')])
        : undefined;
      const readOnly = values['read-only'] ? true : values.writable ? false : undefined;
      const updated = await session.call('managers.update', { id: manager.id, ...(values.rename ? { name } : {}), ...(sealedConfig ? { sealedConfig } : {}), ...(readOnly !== undefined ? { readOnly } : {}) });
      session.say(`Updated manager "${updated.name}".${sealedConfig ? ' Its new credentials are untested: run "strongroom manager test".' : ''}`);
      return 0;
    }
    case 'manager list': {
      const { items } = await session.call('managers.list', {});
      if (values.json) session.write(`${JSON.stringify(items, null, 2)}
`);
      else {
        for (const item of items) {
          const flags = [item.isDefault ? 'default' : null, item.readOnly ? 'read-only' : null].filter(Boolean).join(',');
          session.write(`${item.name}	${item.kind}	${flags || '-'}	${item.secretCount} secret(s)	${healthLine(item)}
`);
        }
      }
      return 0;
    }
    case 'manager test': {
      const manager = await session.findManager(first!);
      if (manager.kind === 'local') throw new UserError('The built-in store needs no connection test.');
      const { result, manager: tested } = await session.call('managers.test', { id: manager.id });
      if (values.json) session.write(`${JSON.stringify({ manager: tested.name, kind: tested.kind, ...result, renewal: tested.health.renewal }, null, 2)}
`);
      else printTest(session, tested, result);
      return result.ok ? 0 : 1;
    }
    case 'manager default': {
      const manager = await session.findManager(first!);
      await session.call('managers.setDefault', { id: manager.id });
      session.say(`New secrets now go to "${manager.name}". Existing secrets stay where they are.`);
      return 0;
    }
    case 'manager remove': {
      const manager = await session.findManager(first!);
      await session.call('managers.remove', { id: manager.id });
      session.say(`Removed manager "${manager.name}".`);
      return 0;
    }
    case 'manager options': {
      const kind = values.kind === 'vault' || values.kind === 'azure-key-vault' ? values.kind : null;
      if (!kind) throw new UsageError('"manager options" needs --kind vault or --kind azure-key-vault.');
      const config = readConfigFile(values.config, 'manager options');
      const sealedConfig = await sealValues(await session.publicKey(), sealBindings.managerConfig(''), [config]);
      const options = await session.call('managers.fetchOptions', { kind, sealedConfig });
      if (values.json) session.write(`${JSON.stringify(options, null, 2)}
`);
      else if (options.kind === 'vault') for (const mount of options.mounts) session.write(`${mount.path}	${mount.type}${mount.version ? ` v${mount.version}` : ''}	${mount.description}
`);
      else for (const vault of options.vaults) session.write(`${vault.name}	${vault.resourceGroup ?? '-'}	${vault.location ?? '-'}
`);
      return 0;
    }
  }
  throw new UsageError(`Unknown command "${command}".`);
}

async function revealSecret(session: Session, name: string): Promise<void> {
  const { values } = session;
  if (Boolean(values.app) !== Boolean(values.env)) throw new UsageError('--app and --env go together.');
  const consumer: Consumer | undefined = values.app && values.env ? { application: values.app, environment: values.env } : undefined;
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && !Number.isInteger(version)) throw new UsageError('--version must be a number.');
  const secret = await session.findSecret(name);
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
}

async function scopeSecret(session: Session, name: string): Promise<void> {
  const { values } = session;
  const secret = await session.findSecret(name);
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
  const same = (a: ScopeEntry, b: ScopeEntry) => a.applicationId === b.applicationId && a.environmentId === b.environmentId && a.environmentType === b.environmentType;
  const removals = (values.remove ?? []).map(toEntry);
  const additions = (values.add ?? []).map(toEntry);
  const entries = [...secret.scope.entries.filter((entry) => !removals.some((removal) => same(entry, removal))), ...additions];
  const scopeToAccount = values.account ? true : values['no-account'] ? false : secret.scope.scopeToAccount;
  const scoped = values.unscoped ? false : secret.scope.scoped || additions.length > 0 || values.account === true;
  const updated = await session.call('secrets.setScope', { id: secret.id, scope: { scoped, scopeToAccount, entries: scoped ? entries : [] } });
  session.say(updated.scope.scoped ? `"${name}" is scoped to ${updated.scope.entries.length} entr${updated.scope.entries.length === 1 ? 'y' : 'ies'}${updated.scope.scopeToAccount ? ' and the account' : ''}.` : `"${name}" is unscoped.`);
}

async function importFile(session: Session): Promise<void> {
  const from = session.values.from;
  if (!from) throw new UsageError('"import" needs --from FILE.');
  let content: string;
  try {
    content = readFileSync(from, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${from}.`);
  }
  if (content.startsWith('{"format":"strongroom-backup"')) {
    const passphrase = await session.passphrase(session.values['export-passphrase-file'], false, 'backup passphrase');
    const sealedPassphrase = await sealValues(await session.publicKey(), sealBindings.backupRestore(), [passphrase]);
    const report = await session.call('backup.restore', { sealedPassphrase, content });
    session.say(`Restored ${report.secrets} secrets (${report.versions} versions), ${report.applications} applications, ${report.environments} environments.`);
    for (const skipped of report.skipped) session.say(`Skipped "${skipped.name}": ${skipped.reason}.`);
    return;
  }
  const parsed = parseImportFile(from, content);
  if (parsed.problems.length > 0) {
    throw new UserError(`Nothing imported: ${parsed.problems.map((problem) => (problem.line ? `line ${problem.line}: ${problem.message}` : problem.message)).join('; ')}`);
  }
  if (parsed.items.length === 0) throw new UserError(`${from} holds no secrets.`);
  const { taken } = await session.call('secrets.checkNames', { names: parsed.items.map((item) => item.name) });
  if (taken.length > 0) throw new UserError(`Nothing imported: these names already exist: ${taken.join(', ')}.`);
  const managerId = session.values.manager ? (await session.findManager(session.values.manager)).id : undefined;
  for (let i = 0; i < parsed.items.length; i += 1000) {
    const batch = parsed.items.slice(i, i + 1000);
    const sealedValues = await sealValues(await session.publicKey(), sealBindings.secretCreate(batch.map((item) => item.name)), batch.map((item) => item.value));
    await session.call('secrets.createMany', { items: batch.map(({ name, description }) => ({ name, description })), sealedValues, ...(managerId ? { managerId } : {}) });
  }
  session.say(`Imported ${parsed.items.length} text secrets from ${from}.`);
}

function stageLine(stage: ReportStage): string {
  const mark = stage.status === 'ok' ? 'ok  ' : stage.status === 'failed' ? 'FAIL' : 'skip';
  const facts = Object.entries(stage.details)
    .filter(([key]) => key !== 'publicKey')
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
  return `${mark} ${stage.stage.padEnd(9)} ${String(stage.durationMs).padStart(5)} ms  ${facts}`;
}

/** `test ssh` and `test winrm`: the live stage log on stderr, the report as JSON on stdout with --json. */
async function testConnection(session: Session, kind: 'ssh' | 'winrm'): Promise<number> {
  const { values } = session;
  const secretName = values.secret?.at(-1);
  if (!secretName || !values.host) throw new UsageError(`"test ${kind}" needs --secret N and --host H.`);
  if (Boolean(values.app) !== Boolean(values.env)) throw new UsageError('--app and --env go together.');
  if (kind === 'winrm' && values['accept-new-host-key']) throw new UsageError('--accept-new-host-key is for SSH.');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !Number.isInteger(port)) throw new UsageError('--port must be a number.');
  const secret = await session.findSecret(secretName);
  const isWinrm = secret.type === 'winrm';
  if (isWinrm !== (kind === 'winrm')) throw new UserError(`"${secret.name}" is a ${secret.type} secret: use "test ${isWinrm ? 'winrm' : 'ssh'}".`);
  const testId = randomUUID();
  const unsubscribe = session.core.onEvent((event) => {
    if (event.type === 'connection.stage' && event.testId === testId) session.say(stageLine(event.stage));
  });
  try {
    const { report, hostKeyTrusted } = await session.call('connections.test', {
      testId,
      secretId: secret.id,
      host: values.host,
      port,
      consumer: values.app && values.env ? { application: values.app, environment: values.env } : undefined,
      acceptNewHostKey: values['accept-new-host-key'] === true,
    });
    if (hostKeyTrusted) session.say(`Trusted the new host key of ${report.host}:${report.port}.`);
    if (values.json) session.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.ok) session.say(`Connection test passed in ${report.totalMs} ms.`);
    else session.say(`Connection test failed: ${report.error?.code}: ${report.error?.message}`);
    return report.ok ? 0 : 1;
  } finally {
    unsubscribe();
  }
}

async function run(argv: string[], io: CliIo, coreOptions: CliCoreOptions): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const single =
    positionals[0] === 'init' || positionals[0] === 'export' || positionals[0] === 'import' || (positionals[0] === 'migrate' && !MIGRATE_SUBCOMMANDS.includes(positionals[1] ?? ''));
  const command = single ? positionals[0]! : positionals.slice(0, 2).join(' ');
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(positionals.length ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
  const args = positionals.slice(single ? 1 : 2);
  if (args.length < spec.args) throw new UsageError(`"${command}" needs ${spec.args === 1 ? 'a name' : `${spec.args} names`}.`);
  const most = spec.args + (spec.optionalArgs ?? 0);
  if (args.length > most) throw new UsageError(`Unexpected argument "${args[most]}".`);

  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const core = await createAppCore({ ...coreOptions, dataDir, actor: 'cli' });
  const session = new Session(core, io, values);
  try {
    const status = await session.call('app.status', {});
    if (command === 'init') {
      if (status.initialized) throw new UserError(`A store already exists in ${dataDir}.`);
      const passphrase = await session.passphrase(values['passphrase-file'], true);
      await session.call('vault.create', { sealedPassphrase: await sealValues(status.delegatePublicKey!, sealBindings.vaultCreate(), [passphrase]) });
      session.say(`Created a new store in ${dataDir}.`);
      return 0;
    }
    if (!status.initialized) throw new UserError('No store exists in this data folder. Run "strongroom init" first.');
    const passphrase = await session.passphrase(values['passphrase-file'], false);
    await session.call('vault.unlock', { sealedPassphrase: await sealValues(status.delegatePublicKey!, sealBindings.vaultUnlock(), [passphrase]) });
    const [first, second] = args;
    switch (command) {
      case 'audit verify': {
        const verdict = await session.call('audit.verify', {});
        if (!verdict.intact) throw new UserError(`Audit chain broken at entry ${verdict.firstBrokenSeq}: ${verdict.problem}`);
        session.write(`Audit chain intact: ${verdict.checked} entries verified.\n`);
        break;
      }
      case 'audit accept-break': {
        const accepted = await session.call('audit.acceptBreak', {});
        session.say(`Recorded the break at entry ${accepted.firstBrokenSeq} in the audit trail (${accepted.problem}); writes are allowed again.`);
        break;
      }
      case 'export': {
        if (!values.out) throw new UsageError('"export" needs --out FILE.');
        const exportPassphrase = await session.passphrase(values['export-passphrase-file'], true, 'backup passphrase');
        const sealedPassphrase = await sealValues(await session.publicKey(), sealBindings.backupExport(), [exportPassphrase]);
        const backup = await session.call('backup.export', { sealedPassphrase });
        try {
          writeFileSync(values.out, backup.content, { mode: 0o600, flag: 'wx' });
        } catch {
          throw new UserError(`Cannot write ${values.out} (it must not exist yet).`);
        }
        session.say(`Exported ${backup.secrets} secrets to ${values.out}.`);
        break;
      }
      case 'import':
        await importFile(session);
        break;
      case 'secret create':
        await createSecret(session);
        break;
      case 'secret list': {
        const items: SecretSummary[] = [];
        for (let offset = 0; ; offset += 500) {
          const page = await session.call('secrets.list', { limit: 500, offset });
          items.push(...page.items);
          if (items.length >= page.total || page.items.length === 0) break;
        }
        if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
        else for (const item of items) session.write(`${item.name}\t${item.type}\tv${item.version}\t${item.updatedAt}\t${item.description ?? ''}\n`);
        break;
      }
      case 'secret reveal':
        await revealSecret(session, first!);
        break;
      case 'secret update': {
        const secret = await session.findSecret(first!);
        if (secret.type !== 'text') throw new UserError(`"${secret.name}" is a ${secret.type} secret: update it in the app.`);
        const value = await session.readStdin();
        const sealedValue = await sealValues(await session.publicKey(), sealBindings.secretUpdate(secret.id), [value]);
        const updated = await session.call('secrets.update', { id: secret.id, sealedValue });
        session.say(`Updated secret "${secret.name}" to version ${updated.version}.`);
        break;
      }
      case 'secret versions': {
        const secret = await session.findSecret(first!);
        const { items } = await session.call('secrets.versions', { id: secret.id });
        if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
        else for (const item of items) session.write(`v${item.version}${item.current ? ' (current)' : ''}\t${item.createdAt}\t${item.createdBy}\n`);
        break;
      }
      case 'secret rollback': {
        const to = Number(values.to);
        if (!values.to || !Number.isInteger(to)) throw new UsageError('"secret rollback" needs --to V.');
        const secret = await session.findSecret(first!);
        const rolled = await session.call('secrets.rollback', { id: secret.id, toVersion: to });
        session.say(`"${secret.name}" is now version ${rolled.version}, equal to version ${to}.`);
        break;
      }
      case 'secret scope':
        await scopeSecret(session, first!);
        break;
      case 'secret delete': {
        const secret = await session.findSecret(first!);
        await session.call('secrets.delete', { id: secret.id });
        session.say(`Deleted secret "${secret.name}".`);
        break;
      }
      case 'app create':
        await session.call('apps.create', { name: first! });
        session.say(`Created application "${first}".`);
        break;
      case 'app delete': {
        const app = await session.findApplication(first!);
        const report = await session.call('apps.delete', { id: app.id });
        session.say(`Deleted application "${app.name}".`);
        if (report.affectedSecrets.length) session.say(`Secrets that lost scope entries: ${report.affectedSecrets.join(', ')}.`);
        if (report.nowUnusable.length) session.say(`Now usable by no consumer until their scope is edited: ${report.nowUnusable.join(', ')}.`);
        break;
      }
      case 'app list': {
        const { items } = await session.call('apps.list', {});
        if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
        else for (const app of items) session.write(`${app.name}\t${app.environments.map((env) => `${env.name}(${env.type === 'production' ? 'prod' : 'nonprod'})`).join(' ')}\n`);
        break;
      }
      case 'env create': {
        const type = values.type === 'prod' ? 'production' : values.type === 'nonprod' ? 'non-production' : null;
        if (!type) throw new UsageError('"env create" needs --type prod or --type nonprod.');
        const app = await session.findApplication(first!);
        await session.call('envs.create', { applicationId: app.id, name: second!, type });
        session.say(`Created environment "${second}" (${values.type}) in "${app.name}".`);
        break;
      }
      case 'manager add':
      case 'manager update':
      case 'manager list':
      case 'manager test':
      case 'manager default':
      case 'manager remove':
      case 'manager options':
        return await managerCommand(session, command, first);
      case 'migrate':
      case 'migrate status':
      case 'migrate report':
      case 'migrate resume':
      case 'migrate cancel':
        return await migrateCommand(session, command, first);
      case 'test ssh':
        return await testConnection(session, 'ssh');
      case 'test winrm':
        return await testConnection(session, 'winrm');
      case 'env delete': {
        const app = await session.findApplication(first!);
        const env = app.environments.find((candidate) => candidate.name.toLowerCase() === second!.toLowerCase());
        if (!env) throw new UserError(`Application "${app.name}" has no environment named "${second}".`);
        const report = await session.call('envs.delete', { id: env.id });
        session.say(`Deleted environment "${env.name}" from "${app.name}".`);
        if (report.affectedSecrets.length) session.say(`Secrets that lost scope entries: ${report.affectedSecrets.join(', ')}.`);
        if (report.nowUnusable.length) session.say(`Now usable by no consumer until their scope is edited: ${report.nowUnusable.join(', ')}.`);
        break;
      }
    }
    return 0;
  } finally {
    await core.handle('vault.lock', {});
    await core.close();
  }
}

/** Runs one command and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, coreOptions: CliCoreOptions = {}): Promise<number> {
  try {
    return await run(argv, io, coreOptions);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`strongroom: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`strongroom: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
