// Turns connect-time errno values into errors that say what to check.

import { ConnectError } from '../errors.js';

/** Nothing listens at the address: unlike a timeout, asking again at once gets the same answer. */
export class RefusedError extends ConnectError {
  constructor(readonly address: string) {
    super(`${address} refused the connection: is the node running, and is this its port?`);
    this.name = 'ConnectError';
  }
}

export function connectError(addr: string, err: NodeJS.ErrnoException): ConnectError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new RefusedError(addr);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new ConnectError(`cannot resolve the host of ${addr} (${err.code}): check the name`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new ConnectError(`${addr} is unreachable (${err.code}): check the address and the network`);
    case 'ECONNRESET':
      return new ConnectError(`${addr} reset the connection while connecting`);
    default:
      return new ConnectError(`cannot connect to ${addr}: ${err.message}`);
  }
}
