/**
 * Which facet of a provider (providers/provider.ts, ProviderCapabilities)
 * each capability of a kind description promises. The pool refuses a
 * provider whose facets differ from its description, so a handler that finds
 * no facet may say the kind lacks the capability, and the UI's and main's
 * reading of the description never promises what the provider cannot do.
 */
import type { ManagerKindSpec } from '../../src-shared/manager-kinds.js';
import type { ProviderCapabilities } from '../providers/provider.js';

type Facet = Exclude<keyof ProviderCapabilities, 'close'>;

const promisedBy: Record<Facet, (spec: ManagerKindSpec) => boolean> = {
  sshSigner: (spec) => spec.signsSshCertificates,
  tokenRenewal: (spec) => spec.renewsToken,
};

/** Each facet the provider has and its description does not promise, or lacks and it does; empty when they agree. */
export function capabilityMismatches(spec: ManagerKindSpec, provider: ProviderCapabilities): string[] {
  return (Object.keys(promisedBy) as Facet[]).flatMap((facet) => {
    const promised = promisedBy[facet](spec);
    const present = provider[facet] !== undefined;
    if (promised === present) return [];
    return [promised ? `lacks ${facet}, which its description promises` : `has ${facet}, which its description does not promise`];
  });
}
