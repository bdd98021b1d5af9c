/** An AWS Secrets Manager store's configuration. */
import { z } from 'zod';
import { awsConnectionShape } from './aws.js';
import { configPatterns } from './config-rules.js';

export const configSchema = z.strictObject({
  ...awsConnectionShape,
  /** Every secret Strongroom creates is named `<namePrefix><secret name>`; e.g. `strongroom/prod/`. */
  namePrefix: z.string().min(1).max(256, 'A name prefix is at most 256 characters.').regex(configPatterns.awsNameChars, 'Only ASCII letters, digits and /_+=.@-'),
  /**
   * Days AWS keeps a deleted secret restorable (7–30). Deletes never force
   * immediate removal: a mistaken delete, or one asked for by a compromised
   * main process, can be undone with RestoreSecret within the window.
   */
  recoveryWindowDays: z.number().int('A whole number of days.').min(7, 'From 7 to 30 days.').max(30, 'From 7 to 30 days.').default(30),
});

export type AwsSecretsManagerConfig = z.input<typeof configSchema>;
