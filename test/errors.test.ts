import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, CommandFailedError, ConnectError, ExitCode, ProtocolError, TimeoutError, UsageError } from '../src/errors.js';

test('every error class carries its own exit code, and the codes are distinct', () => {
  const codes = [
    new UsageError('x').exitCode,
    new ConnectError('x').exitCode,
    new AuthError('x').exitCode,
    new TimeoutError('x', 'reply').exitCode,
    new CommandFailedError('x').exitCode,
  ];
  assert.deepEqual(codes, [ExitCode.usage, ExitCode.unreachable, ExitCode.authOrProtocol, ExitCode.timeout, ExitCode.commandFailed]);
  assert.equal(new Set(Object.values(ExitCode)).size, Object.keys(ExitCode).length);
  assert.equal(new ProtocolError('x').exitCode, new AuthError('y').exitCode);
  assert.equal(new UsageError('x').name, 'UsageError');
});
