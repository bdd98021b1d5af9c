import { describeError, isIpcError } from '../../lib/errors.js';

/** One sentence for a failed save or rename: a taken name is said as main words it ("A saved search named … already exists."), not as a secret's. */
export function describeSavedSearchError(err: unknown): string {
  return isIpcError(err, 'NAME_TAKEN') ? err.message : describeError(err);
}
