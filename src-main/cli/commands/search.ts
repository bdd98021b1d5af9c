/**
 * `strongroom search`: saved searches, named filters of the secrets list
 * (docs/migration.md "Saved searches"), applied in the app's list and by
 * `strongroom migrate --saved-search NAME`.
 */
import { UserError } from '../cli-errors.js';
import { defineCommand, jsonOutput } from '../command.js';
import { describeFilter, filterFromOptions, secretFilterOptions } from '../secret-filter-options.js';
import type { Session } from '../session.js';

const group = 'Saved searches (docs/migration.md)';

/** A saved search by name, in any case. */
export async function findSavedSearch(session: Session, name: string) {
  const { items } = await session.call('searches.list', {});
  const found = items.find((item) => item.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new UserError(`No saved search named "${name}". See "strongroom search list".`);
  return found;
}

export const searchCommands = [
  defineCommand({
    words: 'search save',
    group,
    summary: 'save the filter given as NAME (a name search, types, an application and environment)',
    args: ['NAME'],
    options: { ...secretFilterOptions, replace: { type: 'boolean', help: 'replace a saved search of that name' } },
    async run(session, [name], values) {
      const filter = await filterFromOptions(session, values);
      const saved = await session.call('searches.save', { name: name!, filter, replace: values.replace === true });
      session.say(`Saved search "${saved.name}".`);
    },
  }),

  defineCommand({
    words: 'search list',
    group,
    summary: 'every saved search and what it filters',
    options: { ...jsonOutput },
    async run(session, _args, values) {
      const { items } = await session.call('searches.list', {});
      if (values.json) {
        session.write(`${JSON.stringify(items, null, 2)}\n`);
        return;
      }
      const apps = (await session.call('apps.list', {})).items;
      const appNames = new Map(apps.map((app) => [app.id, { name: app.name, environments: new Map(app.environments.map((env) => [env.id, env.name])) }]));
      for (const item of items) session.write(`${item.name}\t${describeFilter(item.filter, appNames)}\n`);
    },
  }),

  defineCommand({
    words: 'search rename',
    group,
    summary: 'give a saved search a new name (its filter stays)',
    args: ['NAME', 'NEW_NAME'],
    options: {},
    async run(session, [name, newName]) {
      const found = await findSavedSearch(session, name!);
      const renamed = await session.call('searches.rename', { id: found.id, name: newName! });
      session.say(`Renamed saved search "${found.name}" to "${renamed.name}".`);
    },
  }),

  defineCommand({
    words: 'search delete',
    group,
    summary: 'forget a saved search (no secret changes)',
    args: ['NAME'],
    options: {},
    async run(session, [name]) {
      const found = await findSavedSearch(session, name!);
      await session.call('searches.delete', { id: found.id });
      session.say(`Deleted saved search "${found.name}".`);
    },
  }),
];
