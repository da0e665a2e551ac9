// The native wire's refinement of AuthError: which of the password mismatches happened.

import { AuthError } from '../../errors.js';

/**
 * - `wrong-password`: both sides have a password and they differ.
 * - `password-required`: the node requires a password and the client gave none.
 * - `password-not-expected`: the client gave a password to a node that has none.
 */
export type HandshakeAuthReason = 'wrong-password' | 'password-required' | 'password-not-expected';

export class HandshakeAuthError extends AuthError {
  constructor(
    message: string,
    readonly reason: HandshakeAuthReason,
  ) {
    super(message);
  }
}
