/** A Google Cloud KMS manager's configuration. */
import { z } from 'zod';
import { configPatterns, httpOrigin, pemCertificate } from './config-rules.js';

const resourceId = z.string().regex(configPatterns.gcpResource, '1 to 63 letters, digits, _ or -');

export const configSchema = z
  .strictObject({
    /** Project id (not its number), e.g. `acme-secrets`. */
    projectId: z.string().regex(configPatterns.gcpProject, 'A project id (not its number) such as acme-secrets.'),
    /** The key ring's location: `global`, a region such as `europe-west1`, or a multi-region such as `eu`. */
    location: z.string().regex(configPatterns.gcpLocation, 'global, a region such as europe-west1, or a multi-region such as eu.'),
    keyRing: resourceId,
    keyName: resourceId,
    /** The service account's JSON key file as downloaded; only client_email, private_key and private_key_id are used. It needs roles/cloudkms.cryptoKeyEncrypterDecrypter on the key. */
    serviceAccount: z
      .looseObject(
        {
          type: z.literal('service_account', { error: 'This is not a service-account key ("type" is not "service_account").' }).optional(),
          client_email: z.email({ error: 'The key file has no client_email.' }),
          private_key: z.string({ error: 'The key file has no PEM private_key.' }).includes('PRIVATE KEY', { error: 'The key file has no PEM private_key.' }),
          private_key_id: z.string().optional(),
        },
        { error: 'The key file is a JSON object.' },
      )
      .optional(),
    /** A static OAuth access token instead of a key: tests and short sessions only, since it expires within an hour. */
    accessToken: z.string().min(1).max(4096, 'An access token is at most 4,096 characters.').optional(),
    /** Overrides https://cloudkms.googleapis.com: an emulator or a Private Service Connect endpoint. */
    endpoint: httpOrigin.optional(),
    /** PEM of a private CA, trusted in addition to the public roots (a TLS-inspecting gateway, a private endpoint). */
    caCertificate: pemCertificate.optional(),
  })
  .refine((config) => (config.serviceAccount === undefined) !== (config.accessToken === undefined), {
    message: 'give either serviceAccount or accessToken, not both',
    path: ['serviceAccount'],
  });

export type GcpKmsConfig = z.input<typeof configSchema>;
