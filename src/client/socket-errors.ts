// Opening a TCP connection to a member, with connect-time errno values turned into errors that say what to check.

import { connect, type Socket } from 'node:net';
import { ConnectError } from '../errors.js';
import type { NodeAddress } from './address.js';

/** Connects within `timeoutMs`; `within` is how a timeout states the deadline ("2 s"). */
export function openSocket(address: NodeAddress, timeoutMs: number, within: string): Promise<Socket> {
  const socket = connect({ host: address.host, port: address.port });
  socket.setNoDelay(true);
  return new Promise<Socket>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError(`could not connect to ${address.text} within ${within}: is the host up and the port open?`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(address.text, err));
    });
  });
}

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
