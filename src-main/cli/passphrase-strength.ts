/**
 * zxcvbn's rating of a new master passphrase, for `strongroom init`: the same
 * estimator, dictionary and hints the first-run screen uses, and the same
 * threshold (MIN_PASSPHRASE_SCORE). Loaded on use: its dictionaries would
 * slow down the start of every other command.
 */
export async function passphraseScore(passphrase: string): Promise<number> {
  const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
  const estimator = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return estimator.check(passphrase, ['strongroom', 'vault', 'secret']).score;
}
