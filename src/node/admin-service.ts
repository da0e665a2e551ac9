// The admin commands, answered as PySyncObj answers them: status, add, remove, set_version, transfer,
// and, native only, read_barrier, drain and undrain. Membership changes and transfers run on the leader; a follower
// forwards them there over the native wire and relays the leader's reply.

import { parseAddress } from '../client/address.js';
import type { NodeId } from '../raft/index.js';
import type { AdminCommandName } from '../wire/native/admin-messages.js';
import type { DrainControl } from './drain-control.js';
import type { EventLog } from './event-log.js';
import type { RaftRuntime } from './raft-runtime.js';
import { buildStatus, type StatusEntries } from './status-report.js';

export type AdminAnswer = { kind: 'status'; entries: StatusEntries } | { kind: 'text'; text: string } | { kind: 'object'; value: Record<string, string | number | boolean | null> };

export interface AdminContext {
  runtime: RaftRuntime;
  drain: DrainControl;
  log: EventLog;
  /** The other members as this node knows them. */
  partners: () => NodeId[];
  isConnected: (peer: NodeId) => boolean;
  /** Sends the same command to another member (the leader) and returns its reply text. */
  forward: (to: NodeId, cmd: AdminCommandName, arg: string | number | undefined) => Promise<string | Record<string, unknown>>;
}

const text = (t: string): AdminAnswer => ({ kind: 'text', text: t });

export class AdminService {
  constructor(private readonly ctx: AdminContext) {}

  status(): StatusEntries {
    const { runtime } = this.ctx;
    return buildStatus({
      raft: runtime.raft.status(),
      partners: this.ctx.partners(),
      isConnected: this.ctx.isConnected,
      lastApplied: runtime.kv.lastApplied,
      leaderCommit: runtime.leaderCommit,
      uptimeSeconds: Math.floor((performance.now() - runtime.startedAt) / 1000),
      appliedDigest: runtime.kv.digestHex,
      drained: this.ctx.drain.drained,
      storageFault: runtime.storageFault,
    });
  }

  /**
   * `relayed` marks a command another member forwarded here: it is not forwarded again, so two
   * members that briefly name each other as leader cannot bounce it between them.
   */
  async execute(cmd: AdminCommandName, arg: string | number | undefined, relayed = false): Promise<AdminAnswer> {
    switch (cmd) {
      case 'status':
        return { kind: 'status', entries: this.status() };
      case 'add':
      case 'remove':
        return text(await this.#membership(cmd, String(arg ?? ''), relayed));
      case 'set_version':
        return text(await this.#setVersion(arg));
      case 'transfer':
        return text(await this.#transfer(String(arg ?? ''), relayed));
      case 'read_barrier':
        return { kind: 'object', value: await this.#readBarrier() };
      case 'drain':
        return { kind: 'object', value: await this.#drain() };
      case 'undrain':
        return { kind: 'object', value: await this.#undrain() };
    }
  }

  #leader(): NodeId | null {
    return this.ctx.runtime.raft.softState().leader;
  }

  #isLeader(): boolean {
    return this.ctx.runtime.raft.softState().role === 'leader';
  }

  /** Relays to the leader; any failure to reach it becomes the command's FAIL text with the reason. */
  async #forward(cmd: AdminCommandName, arg: string | number, fail: string, relayed: boolean): Promise<string> {
    const leader = this.#leader();
    if (leader === null || leader === this.ctx.runtime.raft.id) return `${fail}: no leader is known`;
    if (relayed) return `${fail}: relayed to ${this.ctx.runtime.raft.id}, which is not the leader (${leader} is)`;
    try {
      const reply = await this.ctx.forward(leader, cmd, arg);
      return typeof reply === 'string' ? reply : `${fail}: the leader answered with a status`;
    } catch (err) {
      this.ctx.log.event('admin', `forwarding '${cmd} ${arg}' to ${leader} failed: ${(err as Error).message}`);
      return `${fail}: forwarding to the leader ${leader} failed`;
    }
  }

  async #membership(cmd: 'add' | 'remove', node: string, relayed: boolean): Promise<string> {
    const word = cmd.toUpperCase();
    const fail = `FAIL ${word} ${node}`;
    if (!parseAddress(node)) return fail;
    if (!this.#isLeader()) {
      const reply = await this.#forward(cmd, node, fail, relayed);
      // PySyncObj's replies carry no reason; keep its exact text and log why.
      return reply.startsWith(`${fail}:`) ? fail : reply;
    }
    const { runtime, log } = this.ctx;
    if (cmd === 'remove' && node === runtime.raft.id) {
      // Removing the leader: hand leadership over first, then let the new leader remove us.
      const handed = await runtime.transfer('auto');
      if (!handed.ok) {
        log.event('membership', `cannot remove ${node}: leadership could not be handed over first: ${handed.reason}`);
        return fail;
      }
      return this.#forward('remove', node, fail, false).then((r) => (r.startsWith(`${fail}:`) ? fail : r));
    }
    const outcome = await runtime.changeMembership({ type: cmd, node });
    if (outcome.ok) {
      log.event('membership', `${cmd} ${node}: done`);
      return `SUCCESS ${word} ${node}`;
    }
    log.event('membership', `${cmd} ${node} failed: ${outcome.reason}`);
    return fail;
  }

  async #setVersion(arg: string | number | undefined): Promise<string> {
    const version = typeof arg === 'number' ? arg : Number(arg);
    const raft = this.ctx.runtime.raft.status();
    // PySyncObj raises these two before proposing anything, and sends the exception text.
    if (version > raft.supportedCodeVersion) return `wrong version, current version is ${raft.supportedCodeVersion}, requested version is ${version}`;
    if (version < raft.enabledCodeVersion) return `wrong version, enabled version is ${raft.enabledCodeVersion}, requested version is ${version}`;
    const outcome = await this.ctx.runtime.setVersion(version);
    if (!outcome.ok) this.ctx.log.event('version', `set_version ${version} failed: ${outcome.reason}`);
    return `${outcome.ok ? 'SUCCESS' : 'FAIL'} SET_VERSION ${version}`;
  }

  async #transfer(target: string, relayed: boolean): Promise<string> {
    const fail = `FAIL TRANSFER ${target}`;
    if (target !== 'auto' && !parseAddress(target)) return `${fail}: not HOST:PORT or auto`;
    if (!this.#isLeader()) return this.#forward('transfer', target, fail, relayed);
    const outcome = await this.ctx.runtime.transfer(target);
    if (outcome.ok) return `SUCCESS TRANSFER ${outcome.leader}`;
    return `${fail}: ${outcome.reason}`;
  }

  async #drain(): Promise<Record<string, string | boolean | null>> {
    const { runtime, log } = this.ctx;
    const self = runtime.raft.id;
    const outcome = await this.ctx.drain.drain();
    if (!outcome.ok) log.event('drain', `drain refused: ${outcome.reason}`);
    return {
      ok: outcome.ok,
      text: outcome.ok ? `SUCCESS DRAIN ${self}` : `FAIL DRAIN ${self}: ${outcome.reason}`,
      election_mode: runtime.raft.mode,
      leader: outcome.ok ? outcome.leader : runtime.raft.softState().leader,
      handed_over: outcome.ok && outcome.handedOver,
    };
  }

  async #undrain(): Promise<Record<string, string | boolean | null>> {
    const { runtime } = this.ctx;
    const self = runtime.raft.id;
    const outcome = await this.ctx.drain.undrain();
    return {
      ok: outcome.ok,
      text: outcome.ok ? `SUCCESS UNDRAIN ${self}` : `FAIL UNDRAIN ${self}: ${outcome.reason}`,
      election_mode: runtime.raft.mode,
      leader: runtime.raft.softState().leader,
      handed_over: false,
    };
  }

  async #readBarrier(): Promise<Record<string, string | number | boolean | null>> {
    const { runtime } = this.ctx;
    const outcome = await runtime.readBarrier();
    const soft = runtime.raft.softState();
    if (outcome.ok) return { ok: true, leader: soft.leader, term: soft.term, index: outcome.index };
    return { ok: false, leader: soft.leader, reason: outcome.reason };
  }
}
