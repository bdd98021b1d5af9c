/** Audit commands. */
import { UserError } from '../cli-errors.js';
import { defineCommand } from '../command.js';

export const auditCommands = [
  defineCommand({
    words: 'audit verify',
    group: 'Store',
    summary: "check the trail (and every secret's row)",
    options: {},
    async run(session) {
      const verdict = await session.call('audit.verify', {});
      for (const secret of verdict.tamperedSecrets) session.write(`${secret.name}: ${secret.problem}\n`);
      if (verdict.firstBrokenSeq !== null) throw new UserError(`Audit chain broken at entry ${verdict.firstBrokenSeq}: ${verdict.problem}`);
      if (!verdict.intact) throw new UserError(`${verdict.tamperedSecrets.length} secret(s) failed their integrity check (listed above); they are refused wherever they would be used.`);
      session.write(`Audit chain intact: ${verdict.checked} entries verified; every secret's row is authentic.\n`);
    },
  }),

  defineCommand({
    words: 'audit accept-break',
    group: 'Store',
    summary: "after a break in the trail's end was looked into: record it and allow writes again",
    options: {},
    async run(session) {
      const accepted = await session.call('audit.acceptBreak', {});
      session.say(`Recorded the break at entry ${accepted.firstBrokenSeq} in the audit trail (${accepted.problem}); writes are allowed again.`);
    },
  }),
];
