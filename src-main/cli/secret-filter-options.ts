/**
 * The secrets list's filter as command options (name query, types, usage
 * scope by application and environment name), shared by `search save` and
 * `migrate`, and turned into the filter the channels take.
 */
import type { SecretFilter } from '../../src-shared/saved-search-contract.js';
import { secretTypes } from '../../src-shared/secret-type-basics.js';
import type { SecretType } from '../../src-shared/secret-types.js';
import { UsageError, UserError } from './cli-errors.js';
import type { OptionSpecs } from './command.js';
import { isSecretType } from './secret-input.js';
import type { Session } from './session.js';

export const secretFilterOptions = {
  filter: { type: 'string', value: 'TEXT', help: 'secrets whose names the list search matches' },
  type: { type: 'string', multiple: true, value: 'TYPE', help: `secrets of this type (repeat for more): ${secretTypes.join(', ')}` },
  app: { type: 'string', value: 'A', help: 'secrets whose usage scope takes application A' },
  env: { type: 'string', value: 'E', help: 'with --app: secrets whose usage scope takes its environment E' },
} as const satisfies OptionSpecs;

interface FilterValues {
  filter?: string;
  type?: string[];
  app?: string;
  env?: string;
}

/** Whether any filter option was given. */
export function filterGiven(values: FilterValues): boolean {
  return values.filter !== undefined || (values.type?.length ?? 0) > 0 || values.app !== undefined || values.env !== undefined;
}

/** The filter the options describe; application and environment names are looked up in the store. */
export async function filterFromOptions(session: Session, values: FilterValues): Promise<SecretFilter> {
  if (values.env !== undefined && values.app === undefined) throw new UsageError('--env needs --app.');
  const types: SecretType[] = [];
  for (const type of values.type ?? []) {
    if (!isSecretType(type)) throw new UsageError(`Unknown --type "${type}": one of ${secretTypes.join(', ')}.`);
    types.push(type);
  }
  const filter: SecretFilter = { query: values.filter ?? '', types };
  if (values.app !== undefined) {
    const app = await session.findApplication(values.app);
    filter.applicationId = app.id;
    if (values.env !== undefined) {
      const env = app.environments.find((candidate) => candidate.name.toLowerCase() === values.env!.toLowerCase());
      if (!env) throw new UserError(`Application "${app.name}" has no environment named "${values.env}".`);
      filter.environmentId = env.id;
    }
  }
  return filter;
}

/** The filter as one line: what `search list` prints. */
export function describeFilter(filter: SecretFilter, appNames: Map<string, { name: string; environments: Map<string, string> }>): string {
  const app = filter.applicationId ? appNames.get(filter.applicationId) : undefined;
  const parts = [
    filter.query ? `name matches "${filter.query}"` : null,
    filter.types.length > 0 ? `types ${filter.types.join(', ')}` : null,
    app ? `app ${app.name}${filter.environmentId ? `/${app.environments.get(filter.environmentId) ?? '?'}` : ''}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'every secret';
}
