// The one exception the core throws: a broken contract, by the shell or by the core itself, never a refused request.

/**
 * Thrown when continuing would break an invariant the core states: the shell advanced a Ready it was not
 * given, compacted past what it applied, restored a log with a gap; or the log was asked to overwrite a
 * committed entry. Requests that cannot be served are never thrown: they come back as failures with a code.
 */
export class RaftInvariantError extends Error {
  override name = 'RaftInvariantError';
}
