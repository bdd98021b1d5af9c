/** Store commands: create a store, and move it in and out as a backup or as .env / .csv text secrets. */
import { readFileSync, writeFileSync } from 'node:fs';
import { MIN_PASSPHRASE_SCORE } from '../../../src-shared/passphrase-rules.js';
import { sealBindings, sealValues } from '../../../src-shared/sealed-box.js';
import { passphraseScore } from '../passphrase-strength.js';
import { UserError } from '../cli-errors.js';
import { defineCommand } from '../command.js';
import { count, howFar, INTERRUPTED_EXIT, runInterruptible, whileInterruptible } from '../interruptible-operation.js';
import { ProgressBar } from '../progress-bar.js';
import type { Session } from '../session.js';

const group = 'Store';

/** Secrets per createMany: one transaction each, and a step of the progress bar. */
const IMPORT_BATCH = 500;

export const storeCommands = [
  defineCommand({
    words: 'init',
    group,
    summary: 'create a new store',
    options: {
      'allow-weak-passphrase': { type: 'boolean', help: 'accept a master passphrase zxcvbn rates below Strong' },
    },
    unlock: false,
    async run(session, _args, values) {
      const status = await session.call('app.status', {});
      if (status.initialized) throw new UserError(`A store already exists in ${session.dataDir}.`);
      const passphrase = await session.passphrase(values['passphrase-file'], true);
      if (!values['allow-weak-passphrase'] && (await passphraseScore(passphrase)) < MIN_PASSPHRASE_SCORE) {
        throw new UserError('This passphrase is weak and easy to guess. Choose a stronger one (a few unrelated words), or pass --allow-weak-passphrase.');
      }
      await session.call('vault.create', { sealedPassphrase: await sealValues(status.delegatePublicKey!, sealBindings.vaultCreate(), [passphrase]) });
      session.say(`Created a new store in ${session.dataDir}.`);
    },
  }),

  defineCommand({
    words: 'store check',
    group,
    summary: "run SQLite's check of the store file now (it also runs at unlock once a week); exit 1 when it finds problems",
    options: {},
    async run(session) {
      const result = await session.call('store.check', {});
      if (result.ok) {
        session.say(`Store file ${session.dataDir}: OK (PRAGMA quick_check).`);
        return;
      }
      throw new UserError(
        [
          `The store file in ${session.dataDir} is damaged; SQLite's check found:`,
          ...result.problems.map((problem) => `  ${problem}`),
          'Restore the store from a backup with "strongroom import --from BACKUP" into an empty data folder.',
        ].join('\n'),
      );
    },
  }),

  defineCommand({
    words: 'export',
    group,
    summary: 'write an encrypted backup of the whole store',
    options: {
      out: { type: 'string', value: 'FILE', help: 'the backup file to create (it must not exist yet)' },
      'export-passphrase-file': { type: 'string', value: 'F', help: 'read the backup passphrase from the first line of F' },
    },
    required: ['out'],
    async run(session, _args, values) {
      const out = values.out!;
      const exportPassphrase = await session.passphrase(values['export-passphrase-file'], true, 'backup passphrase');
      const sealedPassphrase = await sealValues(await session.publicKey(), sealBindings.backupExport(), [exportPassphrase]);
      const outcome = await runInterruptible(session, (operationId) => session.call('backup.export', { sealedPassphrase, operationId }));
      if (outcome.kind === 'stopped') {
        session.say(`Export stopped ${howFar(outcome.progress)}. ${outcome.message}`);
        return INTERRUPTED_EXIT;
      }
      const backup = outcome.value;
      try {
        writeFileSync(out, backup.content, { mode: 0o600, flag: 'wx' });
      } catch {
        throw new UserError(`Cannot write ${out} (it must not exist yet).`);
      }
      session.say(`Exported ${backup.secrets} secrets to ${out}.`);
      return finishedCode(session, outcome.interrupted, 'export');
    },
  }),

  defineCommand({
    words: 'import',
    group,
    summary: 'a backup (restored into an empty store), or .env / .csv text secrets',
    options: {
      from: { type: 'string', value: 'FILE', help: 'the backup, .env or .csv file' },
      'export-passphrase-file': { type: 'string', value: 'F', help: "read a backup's passphrase from the first line of F" },
      manager: { type: 'string', value: 'M', help: 'the manager .env / .csv secrets go to (default: the default manager)' },
    },
    required: ['from'],
    async run(session, _args, values) {
      const from = values.from!;
      let content: string;
      try {
        content = readFileSync(from, 'utf8');
      } catch {
        throw new UserError(`Cannot read ${from}.`);
      }
      if (content.startsWith('{"format":"strongroom-backup"')) {
        const passphrase = await session.passphrase(values['export-passphrase-file'], false, 'backup passphrase');
        const sealedPassphrase = await sealValues(await session.publicKey(), sealBindings.backupRestore(), [passphrase]);
        const outcome = await runInterruptible(session, (operationId) => session.call('backup.restore', { sealedPassphrase, content, operationId }));
        if (outcome.kind === 'stopped') {
          session.say(`Restore stopped ${howFar(outcome.progress)}. ${outcome.message}`);
          return INTERRUPTED_EXIT;
        }
        const report = outcome.value;
        session.say(`Restored ${report.secrets} secrets (${report.versions} versions), ${report.applications} applications, ${report.environments} environments.`);
        for (const skipped of report.skipped) session.say(`Skipped "${skipped.name}": ${skipped.reason}.`);
        return finishedCode(session, outcome.interrupted, 'restore');
      }
      // Loaded only here: no other command pays for dotenv and csv-parse at start.
      const { parseImportFile } = await import('../../../src-shared/import-formats.js');
      const parsed = parseImportFile(from, content);
      if (parsed.problems.length > 0) {
        throw new UserError(`Nothing imported: ${parsed.problems.map((problem) => (problem.line ? `line ${problem.line}: ${problem.message}` : problem.message)).join('; ')}`);
      }
      if (parsed.items.length === 0) throw new UserError(`${from} holds no secrets.`);
      const { taken } = await session.call('secrets.checkNames', { names: parsed.items.map((item) => item.name) });
      if (taken.length > 0) throw new UserError(`Nothing imported: these names already exist: ${taken.join(', ')}.`);
      const managerId = values.manager ? (await session.findManager(values.manager)).id : undefined;
      const bar = new ProgressBar(session.io.stderr);
      const total = parsed.items.length;
      // Ctrl+C stops between batches: each is one transaction, so a batch is imported whole or not at all.
      const { value: imported, interrupted } = await whileInterruptible(session, {
        bar,
        async run(ctrlC) {
          let done = 0;
          while (done < total && !ctrlC.pressed) {
            bar.update({ done, total, detail: 'imported' });
            const batch = parsed.items.slice(done, done + IMPORT_BATCH);
            const sealedValues = await sealValues(await session.publicKey(), sealBindings.secretCreate(batch.map((item) => item.name)), batch.map((item) => item.value));
            await session.call('secrets.createMany', { items: batch.map(({ name, description }) => ({ name, description })), sealedValues, ...(managerId ? { managerId } : {}) });
            done += batch.length;
          }
          if (done === total) bar.update({ done, total, detail: 'imported' });
          return done;
        },
      });
      if (imported < total) {
        session.say(`Import stopped after ${count(imported)} of ${count(total)} secrets, in whole batches of ${IMPORT_BATCH}; the other ${count(total - imported)} were not imported.`);
        return INTERRUPTED_EXIT;
      }
      session.say(`Imported ${total} text secrets from ${from}.`);
      return finishedCode(session, interrupted, 'import');
    },
  }),
];

/** A Ctrl+C that came too late to stop the operation is said; the exit code stays the operation's. */
function finishedCode(session: Session, interrupted: boolean, what: string): number {
  if (interrupted) session.say(`Ctrl+C came too late to stop the ${what}: it finished.`);
  return 0;
}
