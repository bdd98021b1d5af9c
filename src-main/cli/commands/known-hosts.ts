/**
 * Known SSH host keys: list them, and forget a host's keys after a legitimate
 * key change, so the next test with --accept-new-host-key can trust the new
 * one. Removal goes through the same request as the app's Known hosts view,
 * so each removed key is audited the same way.
 */
import type { KnownHost } from '../../../src-shared/contract.js';
import { UsageError, UserError } from '../cli-errors.js';
import { defineCommand } from '../command.js';

const group = 'Known SSH hosts';
const SSH_PORT = 22;

/** `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 address has too many colons to carry a port. */
export function parseHostPort(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : plain ? [plain[1]!, plain[2]] : [text, undefined];
  const portNumber = port === undefined ? SSH_PORT : Number(port);
  if (!host || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) throw new UsageError(`"${text}" is not HOST or HOST:PORT (port 1-65535).`);
  return { host: host.toLowerCase(), port: portNumber };
}

function hostLabel(known: Pick<KnownHost, 'host' | 'port'>): string {
  return `${known.host.includes(':') ? `[${known.host}]` : known.host}:${known.port}`;
}

export const knownHostsCommands = [
  defineCommand({
    words: 'known-hosts list',
    group,
    summary: 'the host keys connection tests trust',
    options: { json: { type: 'boolean', help: 'print them as JSON' } },
    async run(session, _args, values) {
      const { items } = await session.call('knownHosts.list', {});
      if (values.json) {
        session.write(`${JSON.stringify(items, null, 2)}\n`);
        return;
      }
      if (items.length === 0) session.say('No host keys are trusted yet.');
      for (const known of items) session.write(`${hostLabel(known)}\t${known.keyType}\t${known.fingerprint}\t${known.addedAt}\n`);
    },
  }),

  defineCommand({
    words: 'known-hosts remove',
    group,
    summary: "forget a host's keys (after a legitimate key change)",
    args: ['HOST[:PORT]'],
    options: { 'key-type': { type: 'string', value: 'T', help: 'only the key of type T, e.g. ssh-ed25519 (default: every key of the host)' } },
    async run(session, [target], values) {
      const { host, port } = parseHostPort(target!);
      const { items } = await session.call('knownHosts.list', {});
      const keys = items.filter((known) => known.host === host && known.port === port && (values['key-type'] === undefined || known.keyType === values['key-type']));
      if (keys.length === 0) {
        throw new UserError(`No ${values['key-type'] ? `${values['key-type']} ` : ''}host key is stored for ${hostLabel({ host, port })}. "strongroom known-hosts list" shows the stored ones.`);
      }
      for (const known of keys) {
        await session.call('knownHosts.remove', { host: known.host, port: known.port, keyType: known.keyType });
        session.say(`Removed the ${known.keyType} key of ${hostLabel(known)} (${known.fingerprint}).`);
      }
    },
  }),
];
