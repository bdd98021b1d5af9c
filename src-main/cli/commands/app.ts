/** Application and environment commands: the consumers a secret's usage scope names. */
import { UsageError, UserError } from '../cli-errors.js';
import { defineCommand, jsonOutput } from '../command.js';
import type { Session } from '../session.js';

const group = 'Applications';

function sayScopeLosses(session: Session, report: { affectedSecrets: string[]; nowUnusable: string[] }): void {
  if (report.affectedSecrets.length) session.say(`Secrets that lost scope entries: ${report.affectedSecrets.join(', ')}.`);
  if (report.nowUnusable.length) session.say(`Now usable by no consumer until their scope is edited: ${report.nowUnusable.join(', ')}.`);
}

export const appCommands = [
  defineCommand({
    words: 'app create',
    group,
    summary: 'add an application',
    args: ['A'],
    options: {},
    async run(session, [name]) {
      await session.call('apps.create', { name: name! });
      session.say(`Created application "${name}".`);
    },
  }),

  defineCommand({
    words: 'app delete',
    group,
    summary: 'remove an application and its environments',
    args: ['A'],
    options: {},
    async run(session, [name]) {
      const app = await session.findApplication(name!);
      const report = await session.call('apps.delete', { id: app.id });
      session.say(`Deleted application "${app.name}".`);
      sayScopeLosses(session, report);
    },
  }),

  defineCommand({
    words: 'app list',
    group,
    summary: 'applications and their environments',
    options: { ...jsonOutput },
    async run(session, _args, values) {
      const { items } = await session.call('apps.list', {});
      if (values.json) session.write(`${JSON.stringify(items, null, 2)}\n`);
      else for (const app of items) session.write(`${app.name}\t${app.environments.map((env) => `${env.name}(${env.type === 'production' ? 'prod' : 'nonprod'})`).join(' ')}\n`);
    },
  }),

  defineCommand({
    words: 'env create',
    group,
    summary: 'add environment E to application A',
    args: ['A', 'E'],
    options: { type: { type: 'string', value: 'prod|nonprod', help: 'whether E is production' } },
    required: ['type'],
    async run(session, [appName, envName], values) {
      const type = values.type === 'prod' ? 'production' : values.type === 'nonprod' ? 'non-production' : null;
      if (!type) throw new UsageError('"env create" needs --type prod or --type nonprod.');
      const app = await session.findApplication(appName!);
      await session.call('envs.create', { applicationId: app.id, name: envName!, type });
      session.say(`Created environment "${envName}" (${values.type}) in "${app.name}".`);
    },
  }),

  defineCommand({
    words: 'env delete',
    group,
    summary: 'remove environment E from application A',
    args: ['A', 'E'],
    options: {},
    async run(session, [appName, envName]) {
      const app = await session.findApplication(appName!);
      const env = app.environments.find((candidate) => candidate.name.toLowerCase() === envName!.toLowerCase());
      if (!env) throw new UserError(`Application "${app.name}" has no environment named "${envName}".`);
      const report = await session.call('envs.delete', { id: env.id });
      session.say(`Deleted environment "${env.name}" from "${app.name}".`);
      sayScopeLosses(session, report);
    },
  }),
];
