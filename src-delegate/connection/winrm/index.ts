/**
 * WinRM connection testing: the public surface for the delegate's
 * dispatcher. Everything else in this folder is internal.
 */
export { testWinrmCredential, type WinrmTestRunOptions } from './tester.js';
export {
  winrmCredentialSchema,
  winrmTargetSchema,
  winrmAuthSchemes,
  WINRM_HTTP_PORT,
  WINRM_HTTPS_PORT,
  type WinrmAuthScheme,
  type WinrmCredential,
  type WinrmCredentialInput,
  type WinrmTarget,
  type WinrmTestOptions,
} from './credential.js';
