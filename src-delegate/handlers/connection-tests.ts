/** Testing a credential against its host, with stages reported live, and which optional tools such tests can use here. */
import { ProviderError } from '../providers/provider.js';
import { probeOptionalTools } from '../connection/optional-tools-probe.js';
import { DelegateFailure } from '../delegate-failure.js';
import { openValues } from './stored-values.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

export function connectionTestHandlers(ctx: DelegateContext) {
  return {
    'connection.test': async (request) => {
      const keyring = ctx.requireKeyring();
      const [payloadText = ''] = await openValues(ctx, keyring, [request.secret], request.managers, request.intermediateKeys);
      const signer = request.signer;
      const signPublicKey = signer
        ? async (publicKey: string, username: string): Promise<string> => {
            const { sshSigner, kind } = ctx.managers.store(keyring, signer).provider;
            if (!sshSigner) throw new ProviderError('INVALID', `A ${kind} manager signs no SSH keys.`);
            const metadata = request.secret.metadata;
            const signed = await sshSigner.sign({ mount: String(metadata.mount), role: String(metadata.role), publicKey, validPrincipals: [username] });
            return signed.certificate;
          }
        : undefined;
      let payload: Record<string, string | undefined>;
      try {
        payload = JSON.parse(payloadText) as Record<string, string | undefined>;
      } catch {
        throw new DelegateFailure('BAD_REQUEST', 'Only credentials can be tested, not text or file secrets.');
      }
      // The testers (SSH, Kerberos, WinRM with NTLM) load on the first test: a delegate that only
      // unlocks and reveals, as a CLI command without a session does, starts without them.
      const { NotACredentialError, runConnectionTest } = await import('../connection/run-connection-test.js');
      try {
        const outcome = await runConnectionTest({
          type: request.secret.address.type,
          metadata: request.secret.metadata,
          payload,
          target: request.target,
          knownHosts: request.knownHosts,
          acceptNewHostKey: request.acceptNewHostKey,
          mask: (text) => ctx.sanitizer.mask(text),
          onStage: (stage) => ctx.emit({ event: 'connection.stage', testId: request.testId, stage }),
          timeoutMs: request.stageTimeoutMs,
          signPublicKey,
        });
        ctx.log.write('info', 'connection test finished', { testId: request.testId, ok: outcome.report.ok, code: outcome.report.error?.code ?? null });
        return outcome;
      } catch (error) {
        if (error instanceof NotACredentialError) throw new DelegateFailure('BAD_REQUEST', error.message);
        throw error;
      }
    },

    'tools.probe': async () => ({ present: await probeOptionalTools() }),
  } satisfies Partial<DelegateHandlers>;
}
