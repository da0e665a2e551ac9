// The admin commands, answered as PySyncObj answers them: status, add, remove, set_version, transfer,
// and, native only, read_barrier, drain and undrain. Asked of a follower, the Raft core forwards add, remove,
// set_version and transfer to the leader; drain and undrain act on the member asked and are never forwarded.

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

  async execute(cmd: AdminCommandName, arg: string | number | undefined): Promise<AdminAnswer> {
    switch (cmd) {
      case 'status':
        return { kind: 'status', entries: this.status() };
      case 'add':
      case 'remove':
        return text(await this.#membership(cmd, String(arg ?? '')));
      case 'set_version':
        return text(await this.#setVersion(arg));
      case 'transfer':
        return text(await this.#transfer(String(arg ?? '')));
      case 'read_barrier':
        return { kind: 'object', value: await this.#readBarrier() };
      case 'drain':
        return { kind: 'object', value: await this.#drain() };
      case 'undrain':
        return { kind: 'object', value: await this.#undrain() };
    }
  }

  /** PySyncObj's replies carry no reason: keep its exact text, and log why. */
  async #membership(cmd: 'add' | 'remove', node: string): Promise<string> {
    const word = cmd.toUpperCase();
    const fail = `FAIL ${word} ${node}`;
    if (!parseAddress(node)) return fail;
    const outcome = await this.ctx.runtime.changeMembership({ type: cmd, node });
    if (outcome.ok) {
      this.ctx.log.event('membership', `${cmd} ${node}: done`);
      return `SUCCESS ${word} ${node}`;
    }
    this.ctx.log.event('membership', `${cmd} ${node} failed: ${outcome.reason}`);
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

  async #transfer(target: string): Promise<string> {
    const fail = `FAIL TRANSFER ${target}`;
    if (target !== 'auto' && !parseAddress(target)) return `${fail}: not HOST:PORT or auto`;
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
