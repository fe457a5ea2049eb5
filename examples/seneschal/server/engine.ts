/**
 * Seneschal itself, transport aside: the note's program flow over the Store. Each method runs synchronously in one
 * SQLite transaction, so messages never interleave halfway and a reply (ack, rehydrateEnd) is only sent once what
 * it acknowledges is committed. Every dispatch for a client goes through its Queue row; connected, live clients get
 * it at once and the row is dropped when they confirm (`received`), so a lost connection loses nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  type ClientMessage,
  type Envelope,
  type JournalEntry,
  methodOf,
  type Principal,
  type ServerDispatch,
  type ServerMessage,
  type StoredDispatch,
  sliceOf,
} from '@syncscope/protocols/seneschal';
import type { MasterObject, Store } from './db.ts';
import { pick, reconcile } from './reconcile.ts';

export const SERVER_CLIENT_ID = 'seneschal';
export const DEFAULT_IDLE_CLIENT_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * The most stored dispatches one rehydrate may hold over all its messages: they wait in memory until the last
 * message (they are reconciled together), so a client that never stops sending `more` cannot exhaust the server.
 */
export const MAX_REHYDRATE_DISPATCHES = 250_000;

export interface Peer {
  readonly userID: string;
  readonly clientID: string;
  /** False between rehydrateBegin and rehydrateEnd: the client's dispatches are not reconciled yet. */
  live: boolean;
  send(message: ServerMessage): void;
}

type Reason = ServerDispatch['reason'];

export class Seneschal {
  private readonly peers = new Map<string, Peer>();
  /** Dispatches for live peers wait here until their transaction commits: nobody sees what might roll back. */
  private outbox: Array<{ peer: Peer; message: ServerDispatch }> = [];
  /** The stored dispatches of a rehydrate sent in several messages (`more: true`), per socket, until its last one. */
  private readonly rehydrating = new WeakMap<Peer, StoredDispatch[]>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly idleClientMs = DEFAULT_IDLE_CLIENT_MS,
    private readonly maxRehydrateDispatches = MAX_REHYDRATE_DISPATCHES,
  ) {}

  /** Forgets CUIDs idle for longer than the timeout (association and queue), as the note asks. */
  expireIdleClients(): string[] {
    return this.store.expireClients(this.now() - this.idleClientMs);
  }

  /**
   * Login (and a socket whose association expired): ties the CUID to the user. A new association first receives
   * the current copy of everything the user may see, because dispatches alone cannot build it.
   */
  associate(clientID: string, userID: string): void {
    this.expireIdleClients();
    this.commit(() => {
      if (!this.store.associate(clientID, userID, this.now())) return;
      for (const object of this.store.allObjects()) {
        if (this.usersWithAccess(object.oid).has(userID)) this.deliver(object, Object.keys(object.props), 'grant', [clientID]);
      }
    });
  }

  /** A socket authenticated as this CUID: welcome, then rehydrateBegin; a newer socket replaces an older one. */
  open(peer: Peer): void {
    const known = this.store.client(peer.clientID);
    if (!known || known.uuid !== peer.userID) this.associate(peer.clientID, peer.userID);
    else this.store.touch(peer.clientID, this.now());
    this.peers.set(peer.clientID, peer);
    peer.send({ type: 'welcome', userID: peer.userID, clientID: peer.clientID });
    peer.send({ type: 'rehydrateBegin' });
  }

  close(peer: Peer): void {
    this.rehydrating.delete(peer); // an unfinished rehydrate was not acknowledged: the client sends it all again
    if (this.peers.get(peer.clientID) === peer) this.peers.delete(peer.clientID);
    if (this.store.client(peer.clientID)) this.store.touch(peer.clientID, this.now());
  }

  handle(peer: Peer, message: Exclude<ClientMessage, { type: 'hello' }>): void {
    switch (message.type) {
      case 'rehydrate': {
        const held = this.rehydrating.get(peer) ?? [];
        if (held.length + message.dispatches.length > this.maxRehydrateDispatches) {
          this.rehydrating.delete(peer);
          peer.send({
            type: 'error',
            code: 'bad-message',
            message: `a rehydrate may hold at most ${this.maxRehydrateDispatches} dispatches`,
            path: 'dispatches',
          });
          return;
        }
        for (const dispatch of message.dispatches) held.push(dispatch);
        if (message.more) {
          this.rehydrating.set(peer, held);
          return;
        }
        this.rehydrating.delete(peer);
        this.rehydrate(peer, held);
        return;
      }
      case 'dispatch':
        this.dispatch(peer, message.id, message.envelope);
        return;
      case 'received':
        this.store.dequeue(peer.clientID, message.ids);
        return;
      case 'share':
        this.share(peer, message.oid, message.principal, message.allow);
        return;
    }
  }

  /**
   * The note's reconciliation: the client's stored dispatches are sorted by timestamp per object and reduced
   * property by property against the master copy; the reduced dispatch (the master's values of every property
   * they touched) goes to every client with access, the sender included; then rehydrateEnd and the queue flush.
   */
  private rehydrate(peer: Peer, dispatches: ReadonlyArray<{ id: string; envelope: Envelope }>): void {
    const accepted: string[] = [];
    const rejected: string[] = [];
    this.commit(() => {
      const byObject = new Map<string, Envelope[]>();
      // Access lists do not change until the batch is applied below, so each (object, list) is judged once.
      const allowed = new Map<string, boolean>();
      for (const { id, envelope } of dispatches) {
        if (this.store.hasDispatch(id)) {
          accepted.push(id); // sent before a lost connection: already reconciled
          continue;
        }
        const oid = envelope.dispatch.payload[0];
        const listID = envelope.dispatch.payload[1].listID;
        const key = typeof listID === 'string' || listID === undefined ? JSON.stringify([oid, listID ?? null]) : undefined;
        let may = key === undefined ? undefined : allowed.get(key);
        if (may === undefined) {
          may = this.mayWrite(peer.userID, oid, envelope);
          if (key !== undefined) allowed.set(key, may);
        }
        // A refused dispatch is not stored: it never happened, and a resend is judged again.
        if (!may) {
          rejected.push(id);
          continue;
        }
        this.store.addDispatch(id, oid, envelope.timestamp, envelope, peer.clientID, peer.userID);
        accepted.push(id);
        const list = byObject.get(oid);
        if (list) list.push(envelope);
        else byObject.set(oid, [envelope]);
      }
      for (const [oid, envelopes] of byObject) {
        const result = this.apply(peer.userID, oid, envelopes);
        this.deliver(result.object, [...result.won, ...result.lost], 'reduced', this.clientsWithAccess(oid));
      }
    });
    const queue = this.store.queueOf(peer.clientID);
    peer.live = true;
    peer.send({ type: 'rehydrateEnd', accepted, ...(rejected.length ? { rejected } : {}), queued: queue.length });
    for (const row of queue) peer.send(JSON.parse(row.dispatch) as ServerDispatch);
  }

  /** A live dispatch: master copy updated, winners broadcast to everyone else with access, losers corrected. */
  private dispatch(peer: Peer, id: string, envelope: Envelope): void {
    if (!peer.live) {
      peer.send({ type: 'error', code: 'not-ready', message: 'send stored dispatches with "rehydrate" first', path: 'type' });
      return;
    }
    const oid = envelope.dispatch.payload[0];
    const rejected = this.commit(() => {
      if (this.store.hasDispatch(id)) return undefined;
      if (!this.mayWrite(peer.userID, oid, envelope)) return `user ${peer.userID} is not on the access list of ${oid}`;
      this.store.addDispatch(id, oid, envelope.timestamp, envelope, peer.clientID, peer.userID);
      const result = this.apply(peer.userID, oid, [envelope]);
      const others = this.clientsWithAccess(oid).filter((c) => c !== peer.clientID);
      if (result.won.size) this.deliver(result.object, result.won, 'live', others, envelope);
      if (result.lost.size) this.deliver(result.object, result.lost, 'correction', [peer.clientID]);
      return undefined;
    });
    peer.send(rejected ? { type: 'ack', id, rejected } : { type: 'ack', id });
  }

  /**
   * The stored journal in the public shape `{timestamp, slice, action, actionID, payload, user, client}`: every
   * client dispatch the server accepted, in arrival order, on objects the user may see.
   */
  journal(userID: string): JournalEntry[] {
    return this.store
      .clientDispatches()
      .filter((row) => this.usersWithAccess(row.oid).has(userID))
      .map((row) => {
        const envelope = JSON.parse(row.dispatch) as Envelope;
        const { action, payload } = envelope.dispatch;
        return {
          timestamp: envelope.timestamp,
          slice: sliceOf(action),
          action: methodOf(action),
          actionID: row.id,
          payload,
          user: row.user,
          client: row.origin,
        };
      });
  }

  /** Access list change. Newly admitted users get the object and its items; users shut out get delete dispatches. */
  private share(peer: Peer, oid: string, principal: Principal, allow: boolean): void {
    const object = this.store.object(oid);
    if (!object || !this.usersWithAccess(oid).has(peer.userID)) {
      peer.send({ type: 'error', code: 'forbidden', message: `only a user on the access list of ${oid} may change it`, path: 'oid' });
      return;
    }
    this.commit(() => {
      const before = this.usersWithAccess(oid);
      if (allow) this.store.grant(oid, principal);
      else this.store.revoke(oid, principal);
      const after = this.usersWithAccess(oid);
      const family = [object, ...this.store.itemsOf(oid)];
      const joined = this.clientsOf([...after].filter((u) => !before.has(u)));
      const left = this.clientsOf([...before].filter((u) => !after.has(u)));
      for (const member of family) {
        if (joined.length) this.deliver(member, Object.keys(member.props), 'grant', joined);
        if (left.length) this.deliverDelete(member, left);
      }
    });
  }

  private commit<T>(work: () => T): T {
    let result: T;
    try {
      result = this.store.transaction(work);
    } catch (error) {
      this.outbox = [];
      throw error;
    }
    const ready = this.outbox;
    this.outbox = [];
    for (const { peer, message } of ready) if (this.peers.get(peer.clientID) === peer) peer.send(message);
    return result;
  }

  private apply(userID: string, oid: string, envelopes: readonly Envelope[]) {
    const master = this.store.object(oid);
    const result = reconcile(master, oid, envelopes);
    this.store.putObject(result.object);
    // A new top-level object belongs to its creator; an item with a listID shares its list's access list.
    if (!master && result.object.props.listID === undefined) this.store.grant(oid, { kind: 'user', id: userID });
    return result;
  }

  /**
   * A user may write an object that is new, has no access list, or whose access list names them; a dispatch that
   * moves an item to another list needs access to that list too (or anyone could pull items into their own list).
   */
  private mayWrite(userID: string, oid: string, envelope: Envelope): boolean {
    const allowed = (users: Set<string>) => users.size === 0 || users.has(userID);
    const listID = envelope.dispatch.payload[1].listID;
    return allowed(this.usersWithAccess(oid)) && (listID === undefined || allowed(this.usersWithAccess(oid, listID)));
  }

  /** Users on the object's access list, or its list's (by user id or group id). */
  private usersWithAccess(oid: string, listOverride?: unknown): Set<string> {
    const listID = listOverride ?? this.store.object(oid)?.props.listID;
    const principals = [...this.store.acl(oid), ...(typeof listID === 'string' ? this.store.acl(listID) : [])];
    const users = new Set<string>();
    for (const p of principals) {
      if (p.kind === 'user') users.add(p.id);
      else for (const member of this.store.membersOf(p.id)) users.add(member);
    }
    return users;
  }

  private clientsOf(userIDs: Iterable<string>): string[] {
    return [...userIDs].flatMap((u) => this.store.clientsOfUser(u));
  }

  private clientsWithAccess(oid: string): string[] {
    return this.clientsOf(this.usersWithAccess(oid));
  }

  /** Stores a server dispatch once, queues it for each recipient, and sends it to those connected and live. */
  private deliver(object: MasterObject, props: Iterable<string>, reason: Reason, recipients: readonly string[], origin?: Envelope): void {
    if (!recipients.length) return;
    const { data, times } = pick(object, props);
    const envelope: Envelope = origin
      ? { ...origin, dispatch: { action: origin.dispatch.action, payload: [object.oid, data] } }
      : { timestamp: this.now(), clientID: SERVER_CLIENT_ID, dispatch: { action: `${object.slice}/upsert`, payload: [object.oid, data] } };
    this.send({ type: 'dispatch', id: `s-${randomUUID()}`, envelope, times, reason }, recipients);
  }

  private deliverDelete(object: MasterObject, recipients: readonly string[]): void {
    const envelope: Envelope = {
      timestamp: this.now(),
      clientID: SERVER_CLIENT_ID,
      dispatch: { action: `${object.slice}/delete`, payload: [object.oid, {}] },
    };
    this.send({ type: 'dispatch', id: `s-${randomUUID()}`, envelope, reason: 'revoke' }, recipients);
  }

  private send(message: ServerDispatch, recipients: readonly string[]): void {
    this.store.addDispatch(message.id, message.envelope.dispatch.payload[0], message.envelope.timestamp, message, SERVER_CLIENT_ID);
    for (const cuid of new Set(recipients)) {
      this.store.enqueue(cuid, message.id);
      const peer = this.peers.get(cuid);
      if (peer?.live) this.outbox.push({ peer, message });
    }
  }
}
