// Majority arithmetic over a voter set: the commit index a quorum has reached, and election outcomes.
import type { NodeId } from './types.js';

export type VoteOutcome = 'won' | 'lost' | 'pending';

/** Smallest number of voters that forms a majority (thesis 3.6: any two majorities intersect). */
export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest index stored by a majority of `voters`. An empty voter set has committed nothing:
 * a cluster without voters cannot make progress, and we never claim otherwise.
 */
export function quorumIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[majority(voters.length) - 1]!;
}

/** Whether the granted votes already decide the election; missing voters count as undecided. */
export function voteOutcome(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteOutcome {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const need = majority(voters.length);
  if (voters.length > 0 && granted >= need) return 'won';
  if (voters.length - rejected < need) return 'lost';
  return 'pending';
}

/** Whether a majority of voters satisfies `active`. */
export function hasMajority(voters: readonly NodeId[], active: (id: NodeId) => boolean): boolean {
  return voters.length > 0 && voters.filter(active).length >= majority(voters.length);
}
