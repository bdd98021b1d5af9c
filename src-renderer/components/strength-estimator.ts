/**
 * zxcvbn and its dictionaries are most of a megabyte, needed only on the
 * first-run screen: load them on first use, in their own chunk.
 */
import type { StrengthScore } from '../lib/passphrase.js';

export interface Strength {
  score: StrengthScore;
  warning: string | null;
}

type Estimate = (passphrase: string) => Strength;

let loading: Promise<Estimate> | null = null;

async function load(): Promise<Estimate> {
  const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
  const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return (passphrase) => {
    const result = zxcvbn.check(passphrase, ['strongroom', 'vault', 'secret']);
    return { score: result.score, warning: result.feedback.warning };
  };
}

export function loadEstimator(): Promise<Estimate> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}
