/**
 * `strongroom keyring rotate`: a new master key version; every data key,
 * manager configuration and the audit key re-wrapped under it
 * (docs/migration.md). Run it again after an interruption: it continues the
 * rotation in progress. Ctrl+C stops it between batches (key-work-command.ts).
 */
import { sealBindings, sealValues } from '../../../src-shared/sealed-box.js';
import { defineCommand, jsonOutput } from '../command.js';
import { runKeyWork } from '../key-work-command.js';

const phaseWords = { 'data-keys': 'data keys re-wrapped', configs: 'manager configurations re-wrapped', done: 're-wrapped' } as const;

export const keyringCommands = [
  defineCommand({
    words: 'keyring rotate',
    group: 'Master key (docs/migration.md)',
    summary: 'a new keyring version; re-wraps every data key, manager configuration and the audit key (the passphrase stays)',
    options: { ...jsonOutput },
    async run(session, _args, values) {
      const passphrase = await session.passphrase(values['passphrase-file'], false);
      const sealedPassphrase = await sealValues(await session.publicKey(), sealBindings.keyringRotate(), [passphrase]);
      const outcome = await runKeyWork(session, {
        start: () => session.call('keyring.rotate', { sealedPassphrase }),
        progressOf: (event) => (event.type === 'keyring.rotateProgress' ? { done: event.done, total: event.total, detail: phaseWords[event.phase] } : null),
        title: 'the master key rotation',
        again: 'strongroom keyring rotate',
      });
      if ('exitCode' in outcome) return outcome.exitCode;
      const { report } = outcome;
      if (values.json) session.write(`${JSON.stringify(report, null, 2)}\n`);
      session.say(
        `${report.resumed ? 'Finished the rotation to' : 'Rotated to'} keyring version ${report.version}: ${report.dataKeys} data key(s) and ${report.configs} manager configuration(s) re-wrapped${report.dropped.length ? `; dropped version(s) ${report.dropped.join(', ')}` : ''}.`,
      );
    },
  }),
];
