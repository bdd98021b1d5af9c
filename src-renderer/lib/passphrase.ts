/** First-run passphrase checks and the words the strength meter shows. */
import { MIN_PASSPHRASE_LENGTH, MIN_PASSPHRASE_SCORE } from '../../src-shared/contract.js';

export interface PassphraseErrors {
  passphrase?: string;
  confirm?: string;
}

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

/** How strong the passphrase is, and whether the user accepted a weak one anyway. */
export interface StrengthVerdict {
  /** null while the estimator has not rated this passphrase yet. */
  score: StrengthScore | null;
  weakAccepted: boolean;
}

/** Too weak to accept without the user saying so: zxcvbn below MIN_PASSPHRASE_SCORE. */
export function isWeak(score: StrengthScore | null): boolean {
  return score !== null && score < MIN_PASSPHRASE_SCORE;
}

/** Length and match always; strength only where a verdict is given (the master passphrase). */
export function validateNewPassphrase(passphrase: string, confirm: string, strength: StrengthVerdict = { score: null, weakAccepted: true }): PassphraseErrors {
  const errors: PassphraseErrors = {};
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    errors.passphrase = `Use at least ${MIN_PASSPHRASE_LENGTH} characters`;
  } else if (isWeak(strength.score) && !strength.weakAccepted) {
    errors.passphrase = `This passphrase is ${strengthLabels[strength.score!].toLowerCase()}: choose a stronger one, or tick “Use this weak passphrase anyway”`;
  }
  if (confirm !== passphrase) errors.confirm = 'The passphrases do not match';
  return errors;
}

export const strengthLabels: Record<StrengthScore, string> = {
  0: 'Very weak',
  1: 'Weak',
  2: 'Fair',
  3: 'Strong',
  4: 'Very strong',
};

// zxcvbn reports warnings as keys; language-en would translate them but is not a dependency.
const warningText: Record<string, string> = {
  straightRow: 'Straight rows of keys are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated patterns like "abcabcabc" are easy to guess.',
  sequences: 'Common sequences like "abc" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is one of the most used passwords.',
  topHundred: 'This is a very commonly used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is similar to a commonly used password.',
  wordByItself: 'Single words are easy to guess.',
  namesByThemselves: 'Names on their own are easy to guess.',
  commonNames: 'Common names are easy to guess.',
  userInputs: 'Avoid words related to this app.',
  pwned: 'This password appeared in a data breach.',
};

export function strengthWarning(key: string | null): string | null {
  if (!key) return null;
  return warningText[key] ?? null;
}
