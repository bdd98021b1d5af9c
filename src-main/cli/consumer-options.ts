/**
 * `--app` and `--env`: the consumer a command uses a secret as, so main checks
 * the secret's usage scope for it. Declared once and spread into each command
 * that uses a secret on someone's behalf (`secret reveal`, `test ssh`, `test
 * winrm`); the help is rendered from these declarations.
 */
import type { Consumer } from '../../src-shared/contract.js';
import { UsageError } from './cli-errors.js';
import type { OptionSpecs } from './command.js';

export const consumerOptions = {
  app: { type: 'string', value: 'A', help: 'use the secret as application A (with --env), as its usage scope allows' },
  env: { type: 'string', value: 'E', help: 'use the secret as environment E of A (with --app)' },
} as const satisfies OptionSpecs;

/** The consumer the options name; undefined when neither is given (only an unscoped secret is usable then). */
export function consumerFromOptions(values: { app?: string; env?: string }): Consumer | undefined {
  if (Boolean(values.app) !== Boolean(values.env)) throw new UsageError('--app and --env go together.');
  return values.app && values.env ? { application: values.app, environment: values.env } : undefined;
}
