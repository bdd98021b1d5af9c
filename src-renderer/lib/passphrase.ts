/** First-run passphrase checks and the words the strength meter shows. */
import { MIN_PASSPHRASE_LENGTH } from '../../src-shared/contract.js';

export interface PassphraseErrors {
  passphrase?: string;
  confirm?: string;
}

export function validateNewPassphrase(passphrase: string, confirm: string): PassphraseErrors {
  const errors: PassphraseErrors = {};
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    errors.passphrase = `Use at least ${MIN_PASSPHRASE_LENGTH} characters`;
  }
  if (confirm !== passphrase) errors.confirm = 'The passphrases do not match';
  return errors;
}

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

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
