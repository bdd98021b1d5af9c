import { useEffect, useState } from 'react';
import { loadEstimator, type Strength } from '../components/strength-estimator.js';

/** zxcvbn's rating of the passphrase as typed; null while empty or still being rated. */
export function usePassphraseStrength(passphrase: string): Strength | null {
  const [estimate, setEstimate] = useState<(Strength & { of: string }) | null>(null);

  useEffect(() => {
    if (!passphrase) return;
    let live = true;
    loadEstimator()
      .then((check) => {
        if (live) setEstimate({ ...check(passphrase), of: passphrase });
      })
      // Without the estimator the meter stays empty; the length rule still applies.
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [passphrase]);

  return estimate && estimate.of === passphrase ? { score: estimate.score, warning: estimate.warning } : null;
}
