/**
 * `strongroom keyring rotate`: a new master key version; every data key,
 * manager configuration and the audit key re-wrapped under it
 * (docs/migration.md). Run it again after an interruption: it continues the
 * rotation in progress.
 */
import { sealBindings, sealValues } from '../../../src-shared/sealed-box.js';
import { defineCommand, jsonOutput } from '../command.js';
import { ProgressBar } from '../progress-bar.js';

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
      const bar = new ProgressBar(session.io.stderr);
      const unsubscribe = session.core.onEvent((event) => {
        if (event.type === 'keyring.rotateProgress') bar.update({ done: event.done, total: event.total, detail: phaseWords[event.phase] });
      });
      let report;
      try {
        report = await session.call('keyring.rotate', { sealedPassphrase });
      } finally {
        unsubscribe();
        bar.finish();
      }
      if (values.json) session.write(`${JSON.stringify(report, null, 2)}\n`);
      session.say(
        `${report.resumed ? 'Finished the rotation to' : 'Rotated to'} keyring version ${report.version}: ${report.dataKeys} data key(s) and ${report.configs} manager configuration(s) re-wrapped${report.dropped.length ? `; dropped version(s) ${report.dropped.join(', ')}` : ''}.`,
      );
    },
  }),
];
