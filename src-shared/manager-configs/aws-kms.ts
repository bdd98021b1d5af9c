/** An AWS KMS manager's configuration. */
import { z } from 'zod';
import { awsConnectionShape } from './aws.js';
import { configPatterns } from './config-rules.js';

export const configSchema = z
  .strictObject({
    ...awsConnectionShape,
    /** The symmetric KMS key (or an alias ARN) that wraps Strongroom's keys. */
    keyArn: z.string().regex(configPatterns.awsKeyArn, 'A key or alias ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-….'),
  })
  .refine((config) => configPatterns.awsKeyArn.exec(config.keyArn)?.[1] === config.region, {
    path: ['keyArn'],
    error: (issue) => `The key ARN names region ${configPatterns.awsKeyArn.exec((issue.input as { keyArn: string }).keyArn)?.[1]}, not ${(issue.input as { region: string }).region}.`,
  });

export type AwsKmsConfig = z.input<typeof configSchema>;
