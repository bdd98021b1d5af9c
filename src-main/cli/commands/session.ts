/** Session commands: unlock once for a data folder, lock, and ask whether a session is open. */
import { defineCommand } from '../command.js';
import { DEFAULT_SESSION_TIMEOUT } from '../../core/session/session-protocol.js';

/** Loaded when one of these runs: starting an agent needs child processes and the handshake's schemas, which no other command does. */
const implementation = () => import('../session-commands.js');

const group = 'Sessions';

export const sessionCommands = [
  defineCommand({
    words: 'unlock',
    group,
    summary: 'open a session: later commands on this data folder need no passphrase until it has been idle for the timeout, or until "lock"',
    options: { timeout: { type: 'string', value: 'DURATION', help: `idle time before the session locks, e.g. 90s, 15m, 2h (default ${DEFAULT_SESSION_TIMEOUT})` } },
    unlock: false,
    withoutCore: true,
    run: async (session, _args, values) =>
      (await implementation()).unlockCommand(session.io, session.dataDir, { timeout: values.timeout, agentEntry: session.agentEntry, passphrase: () => session.passphrase(values['passphrase-file'], false) }),
  }),
  defineCommand({
    words: 'lock',
    group,
    summary: 'end the session for this data folder, and lock the app when it shares the session (serving it, or linked to the agent)',
    options: {},
    unlock: false,
    withoutCore: true,
    run: async (session) => (await implementation()).lockCommand(session.io, session.dataDir),
  }),
  defineCommand({
    words: 'status',
    group,
    summary: 'whether a session is open and when it locks, and key work (a rotation or re-wrap running, interrupted, or how it last ended); exit 0 when a session is open, 1 when none is',
    options: { json: { type: 'boolean', help: 'print the status as JSON on stdout' } },
    unlock: false,
    withoutCore: true,
    run: async (session, _args, values) => (await implementation()).statusCommand(session.io, session.dataDir, values.json === true),
  }),
];
