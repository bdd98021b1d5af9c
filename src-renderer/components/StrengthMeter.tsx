import { strengthLabels, strengthWarning } from '../lib/passphrase.js';
import type { Strength } from './strength-estimator.js';
import './strength-meter.css';

interface StrengthMeterProps {
  passphrase: string;
  /** The estimator's rating of `passphrase`; null while it is still rating it. */
  strength: Strength | null;
  id: string;
}

export function StrengthMeter({ passphrase, strength, id }: StrengthMeterProps) {
  const current = passphrase ? strength : null;
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
