/** The connection fields both AWS kinds share (KMS and Secrets Manager). */
import { z } from 'zod';
import { configPatterns, httpOrigin, pemCertificate } from './config-rules.js';

export const awsConnectionShape = {
  /** e.g. eu-west-1, us-gov-west-1, cn-north-1. */
  region: z.string().regex(configPatterns.awsRegion, 'An AWS region such as eu-west-1.'),
  /** Static keys of an IAM user, or temporary keys with their session token. */
  credentials: z.strictObject({
    accessKeyId: z.string().regex(configPatterns.awsAccessKeyId, 'An access key id such as AKIA….'),
    secretAccessKey: z.string().min(16, 'A secret access key has 16 to 256 characters.').max(256, 'A secret access key has 16 to 256 characters.'),
    sessionToken: z.string().min(1).max(8192, 'A session token is at most 8,192 characters.').optional(),
  }),
  /** Assume this role with the static keys above, and use its temporary credentials. */
  assumeRole: z
    .strictObject({
      roleArn: z.string().regex(configPatterns.awsRoleArn, 'A role ARN such as arn:aws:iam::123456789012:role/strongroom.'),
      externalId: z.string().regex(configPatterns.awsExternalId, '2 to 1224 letters, digits and +=,.@:/-_').optional(),
      durationSeconds: z.number().int('A whole number of seconds.').min(900, 'From 900 to 43,200 seconds.').max(43_200, 'From 900 to 43,200 seconds.').default(3600),
    })
    .optional(),
  /** Overrides the service endpoint: an emulator, or an interface VPC endpoint. */
  endpoint: httpOrigin.optional(),
  /** Overrides the STS endpoint used for assume-role (default: the region's STS endpoint). */
  stsEndpoint: httpOrigin.optional(),
  /** PEM of a private CA, trusted in addition to the public roots (a TLS-inspecting gateway, a private endpoint). */
  caCertificate: pemCertificate.optional(),
};

export type AwsConnection = z.infer<z.ZodObject<typeof awsConnectionShape>>;
