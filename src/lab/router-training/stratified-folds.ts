import { FrugalError } from '../../errors/frugal-error.js';
import { shuffleInPlace } from './train-linear-model.js';

/**
 * Assigns each example a fold in [0, folds) so that every label is spread evenly over the folds
 * (each label's examples are shuffled, then dealt round-robin, continuing where the previous label stopped).
 */
export function stratifiedFolds(labels: readonly string[], folds: number, random: () => number): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new FrugalError('invalid_request', `folds must be an integer ≥ 2, got ${folds}`);
  if (labels.length < folds) throw new FrugalError('invalid_request', `${labels.length} examples cannot fill ${folds} folds`);
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, index) => {
    const members = byLabel.get(label);
    if (members) members.push(index);
    else byLabel.set(label, [index]);
  });
  const assignment = new Int32Array(labels.length);
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    for (const index of shuffleInPlace(byLabel.get(label) ?? [], random)) {
      assignment[index] = next;
      next = (next + 1) % folds;
    }
  }
  return assignment;
}
