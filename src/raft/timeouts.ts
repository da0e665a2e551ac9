// How long the core waits for things, in election timeouts: named so the multiples are read, not guessed.

/** A follower's election timeout is randomized in [1, 1 + this) election timeouts (thesis 3.4). */
export const ELECTION_JITTER = 1;
/** A leader gives its transfer target this long to win before it gives up and takes requests again (thesis 3.10). */
export const TRANSFER_TIMEOUT = 1;
/** A deposed leader waits this long to hear who won the election its transfer started. */
export const TRANSFER_OUTCOME_TIMEOUT = 2;
/** A forwarded read the leader does not confirm within this long fails. */
export const FORWARDED_READ_TIMEOUT = 2;
/** A forwarded request waits this long for a leader, or for the leader's answer, before it fails. */
export const FORWARDED_REQUEST_TIMEOUT = 4;
/** A snapshot unacknowledged for this long is sent again (the follower goes back to probing). */
export const SNAPSHOT_TIMEOUT = 1;
