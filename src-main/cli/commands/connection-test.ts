/** `test ssh` and `test winrm`: the live stage log on stderr, the report as JSON on stdout with --json. */
import { randomUUID } from 'node:crypto';
import type { ReportStage } from '../../../src-shared/contract.js';
import { UsageError, UserError } from '../cli-errors.js';
import { defineCommand, type OptionValues } from '../command.js';
import { consumerFromOptions, consumerOptions } from '../consumer-options.js';
import type { Session } from '../session.js';

const group = 'Connection tests (exit 0 when login and probe succeed, 1 otherwise)';

const options = {
  secret: { type: 'string', value: 'N', help: 'the credential to test' },
  host: { type: 'string', value: 'H', help: 'the host to log in to' },
  port: { type: 'string', value: 'P', help: "the port (default: the secret's, or the protocol's)" },
  ...consumerOptions,
  json: { type: 'boolean', help: 'print the report as JSON' },
  timeout: { type: 'string', value: 'SECONDS', help: 'wait at most SECONDS (1 to 300) for each network step (default: the connectTimeoutSeconds setting, 20)' },
} as const;

function stageLine(stage: ReportStage): string {
  const mark = stage.status === 'ok' ? 'ok  ' : stage.status === 'failed' ? 'FAIL' : 'skip';
  const facts = Object.entries(stage.details)
    .filter(([key]) => key !== 'publicKey')
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
  return `${mark} ${stage.stage.padEnd(9)} ${String(stage.durationMs).padStart(5)} ms  ${facts}`;
}

async function testConnection(session: Session, kind: 'ssh' | 'winrm', values: OptionValues<typeof options> & { 'accept-new-host-key'?: boolean }): Promise<number> {
  const consumer = consumerFromOptions(values);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !Number.isInteger(port)) throw new UsageError('--port must be a number.');
  // The contract's schemas load only when a --timeout needs checking; main checks the request again on arrival.
  const timeoutSeconds = values.timeout === undefined ? undefined : (await import('../../../src-shared/contract.js')).connectTimeoutSecondsSchema.safeParse(Number(values.timeout));
  if (timeoutSeconds && !timeoutSeconds.success) throw new UsageError('--timeout must be a whole number of seconds from 1 to 300.');
  const secret = await session.findSecret(values.secret!);
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
      host: values.host!,
      port,
      consumer,
      acceptNewHostKey: values['accept-new-host-key'] === true,
      timeoutSeconds: timeoutSeconds?.data,
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

export const connectionTestCommands = [
  defineCommand({
    words: 'test ssh',
    group,
    summary: 'log in over SSH with a credential and run a harmless probe',
    options: { ...options, 'accept-new-host-key': { type: 'boolean', help: "trust the host's key on first contact" } },
    required: ['secret', 'host'],
    run: (session, _args, values) => testConnection(session, 'ssh', values),
  }),
  defineCommand({
    words: 'test winrm',
    group,
    summary: 'log in over WinRM with a credential and run a harmless probe',
    options,
    required: ['secret', 'host'],
    run: (session, _args, values) => testConnection(session, 'winrm', values),
  }),
];
