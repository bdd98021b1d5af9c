/**
 * The SSH connection tester's public API, for the delegate's request
 * handlers. Everything else in this folder is internal.
 */
export { testSshCredential, DEFAULT_STAGE_TIMEOUT_MS, type SshTestOptions } from './tester.js';
export {
  sshCredentialSchema,
  sshTargetSchema,
  kerberosTicketSourceSchema,
  type SshCredential,
  type SshTarget,
  type SshTargetInput,
  type SshPasswordCredential,
  type SshPrivateKeyCredential,
  type SshKeyPathCredential,
  type SshCertificateCredential,
  type KerberosCredential,
  type KerberosTicketSource,
} from './credential.js';
export {
  knownHostKeySchema,
  knownHostsFrom,
  seenHostKey,
  type KnownHostKey,
  type KnownHosts,
  type SeenHostKey,
  type HostKeyStatus,
} from './known-hosts.js';
