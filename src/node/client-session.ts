// Serves one native client connection: admin commands and key-value requests, answered by id, in any order.

import { parseClientMessage, type AdminRequest, type KvReply, type KvRequest } from '../wire/native/admin-messages.js';
import type { NativeChannel } from '../wire/native/index.js';
import type { AdminService } from './admin-service.js';
import { encodeKvCommand, parseKvSession, type KvCommand, type KvSession } from './kv-command.js';
import type { RaftRuntime } from './raft-runtime.js';
import { statusToNative } from './status-report.js';

/** Largest key plus value we accept: an entry must fit a journal record and a wire frame comfortably. */
const MAX_KV_BYTES = 1024 * 1024;

export function serveClient(channel: NativeChannel, admin: AdminService, runtime: RaftRuntime): void {
  const reply = (message: unknown): void => {
    if (!channel.closed) {
      try {
        channel.send(message);
      } catch {
        channel.destroy();
      }
    }
  };
  channel.on('message', (raw: unknown) => {
    const message = parseClientMessage(raw);
    if (message === null || message.t === 'hello') {
      channel.destroy();
      return;
    }
    const answered =
      message.t === 'admin'
        ? answerAdmin(message, admin)
        : answerKv(message, parseKvSession(raw), runtime).catch(
            (err: Error): KvReply => ({ t: 'kv_reply', id: message.id, ok: false, leader: null, error: `internal error: ${err.message}` }),
          );
    void answered.then(reply);
  });
}

async function answerAdmin(request: AdminRequest, admin: AdminService): Promise<unknown> {
  const answer = await admin.execute(request.cmd, request.arg).catch((err: Error) => ({ kind: 'text' as const, text: `FAIL ${request.cmd.toUpperCase()}: ${err.message}` }));
  const body = answer.kind === 'status' ? statusToNative(answer.entries) : answer.kind === 'text' ? answer.text : answer.value;
  return { t: 'admin_reply', id: request.id, reply: body };
}

async function answerKv(request: KvRequest, client: KvSession | undefined, runtime: RaftRuntime): Promise<KvReply> {
  const fail = (error: string): KvReply => ({ t: 'kv_reply', id: request.id, ok: false, leader: runtime.raft.softState().leader, error });
  // A member that cannot persist cannot forward or confirm anything: send the client elsewhere at once.
  if (runtime.storageFault !== null) return fail(`this member's storage failed (${runtime.storageFault}); ask another member`);
  if (request.op === 'get') {
    const barrier = await runtime.readBarrier();
    if (!barrier.ok) return fail(barrier.reason);
    return { t: 'kv_reply', id: request.id, ok: true, value: runtime.kv.get(request.key) ?? null };
  }
  if (request.op === 'set' && request.value === undefined) return fail('set needs a value');
  if (Buffer.byteLength(request.key) + Buffer.byteLength(request.value ?? '') > MAX_KV_BYTES) return fail(`key and value together must stay under ${MAX_KV_BYTES} bytes`);
  const command: KvCommand = request.op === 'set' ? { op: 'set', key: request.key, value: request.value! } : { op: 'del', key: request.key };
  if (client) command.client = client;
  const outcome = await runtime.propose(encodeKvCommand(command, runtime.kv.codeVersion));
  return outcome.ok ? { t: 'kv_reply', id: request.id, ok: true } : fail(outcome.reason);
}
