import { useEffect, useState } from 'react';
import { strengthLabels, strengthWarning } from '../lib/passphrase.js';
import { loadEstimator, type Strength } from './strength-estimator.js';

interface StrengthMeterProps {
  passphrase: string;
  id: string;
}

export function StrengthMeter({ passphrase, id }: StrengthMeterProps) {
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

  const current = estimate && estimate.of === passphrase ? estimate : null;
  const warning = current && strengthWarning(current.warning);
  return (
    <div className="strength" data-score={current ? current.score : 'none'}>
      <div className="strength__bar" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
        <span />
      </div>
      <p className="strength__label" id={id}>
        {!passphrase ? 'Strength: enter a passphrase' : current ? `Strength: ${strengthLabels[current.score]}` : 'Strength: checking…'}
        {warning && <span className="strength__warning"> {warning}</span>}
      </p>
    </div>
  );
}
