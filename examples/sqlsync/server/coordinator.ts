/**
 * The link manager of design note 001: links (one per WebSocket) with the documents each opened and a cache of
 * the remote (client) storage range per document; documents by id. Incoming messages are validated with the
 * protocol's schemas and answered; pending work (storage a client has not got yet) is pushed after every step.
 */
import { mkdirSync } from 'node:fs';
import { ClientMessage, encodeEngineMessage, type LsnRange, type ServerMessage } from '@syncscope/protocols/sqlsync';
import { MAX_BATCH_BYTES } from '../shared/constants.ts';
import { DocumentStore, DuplicateTimelineError, LsnGapError } from './document-store.ts';

export interface LinkSocket {
  send(text: string): void;
}

interface DocLink {
  timeline: string;
  /** The client's storage range as last reported (cached per link, as the note's LinkManager does). */
  remoteStorage: LsnRange | null;
  /** A storage partial is on its way and not answered yet: do not send the next one before its storage-range. */
  inFlight: boolean;
}

interface Link {
  id: number;
  socket: LinkSocket;
  docs: Map<string, DocLink>;
}

export class Coordinator {
  private readonly links = new Map<number, Link>();
  private readonly docs = new Map<string, DocumentStore>();
  private nextLink = 1;

  constructor(private readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
  }

  private doc(id: string): DocumentStore {
    let store = this.docs.get(id);
    if (!store) {
      store = new DocumentStore(id, this.dataDir);
      this.docs.set(id, store);
      // Entries received before a restart but not yet applied are stepped now.
      if (store.hasWork) queueMicrotask(() => this.stepDoc(id));
    }
    return store;
  }

  connect(socket: LinkSocket): number {
    const id = this.nextLink++;
    this.links.set(id, { id, socket, docs: new Map() });
    return id;
  }

  disconnect(linkId: number): void {
    this.links.delete(linkId);
  }

  private send(link: Link, message: ServerMessage): void {
    try {
      link.socket.send(encodeEngineMessage(message));
    } catch {
      // A socket closing under us: the link is dropped on its close event.
    }
  }

  /** Handles one text message of a link. Never throws: every failure becomes an `error` message. */
  handle(linkId: number, text: string): void {
    const link = this.links.get(linkId);
    if (!link) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.send(link, { type: 'error', code: 'bad-message', message: 'a message is one JSON object' });
      return;
    }
    const parsed = ClientMessage.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') ?? '';
      this.send(link, { type: 'error', code: 'bad-message', message: `${field || 'message'}: ${issue?.message ?? 'invalid'}`, field });
      return;
    }
    const message = parsed.data;
    try {
      switch (message.type) {
        case 'open':
          this.onOpen(link, message.docs);
          break;
        case 'timeline-sync':
          this.onTimelineSync(link, message.doc, message.partial.id, message.partial.range.first, message.partial.entries);
          break;
        case 'storage-range':
          this.onStorageRange(link, message.doc, message.range);
          break;
      }
    } catch (thrown) {
      const doc = 'doc' in message ? message.doc : undefined;
      if (thrown instanceof DuplicateTimelineError) {
        this.send(link, { type: 'error', code: 'duplicate-timeline', message: thrown.message, ...(doc ? { doc } : {}) });
      } else if (thrown instanceof LsnGapError && message.type === 'timeline-sync') {
        // The client's cached range is stale: tell it where the timeline really is so it prepares again.
        this.send(link, { type: 'error', code: 'lsn-gap', message: thrown.message, doc: message.doc });
        this.send(link, {
          type: 'timeline-range',
          doc: message.doc,
          timeline: message.partial.id,
          range: this.doc(message.doc).timelineRange(message.partial.id),
        });
      } else {
        this.send(link, {
          type: 'error',
          code: 'internal',
          message: thrown instanceof Error ? thrown.message : String(thrown),
          ...(doc ? { doc } : {}),
        });
      }
    }
  }

  private onOpen(link: Link, docs: ReadonlyArray<{ doc: string; storageRange: LsnRange | null; timeline: string }>): void {
    for (const open of docs) {
      // One link per timeline. A newer open takes the timeline over: the older link is most likely a connection
      // whose close the server has not seen yet (a client reconnecting after a network drop). Two live clients
      // that really share an id are caught on sync, where their entries at the same LSN differ.
      for (const other of this.links.values()) {
        if (other === link || other.docs.get(open.doc)?.timeline !== open.timeline) continue;
        other.docs.delete(open.doc);
        this.send(other, {
          type: 'error',
          code: 'duplicate-timeline',
          doc: open.doc,
          message: `timeline ${open.timeline} was opened on a newer connection; this one no longer syncs ${open.doc}`,
        });
      }
      const store = this.doc(open.doc);
      link.docs.set(open.doc, { timeline: open.timeline, remoteStorage: open.storageRange, inFlight: false });
      this.send(link, { type: 'timeline-range', doc: open.doc, timeline: open.timeline, range: store.timelineRange(open.timeline) });
      this.pushStorage(link, open.doc);
    }
  }

  private onTimelineSync(link: Link, doc: string, timeline: string, first: number, entries: ReadonlyArray<{ tag: string }>): void {
    const docLink = link.docs.get(doc);
    if (!docLink) {
      this.send(link, { type: 'error', code: 'not-open', doc, message: `document ${doc} was not opened on this connection` });
      return;
    }
    if (docLink.timeline !== timeline) {
      this.send(link, {
        type: 'error',
        code: 'bad-message',
        doc,
        field: 'partial.id',
        message: `this connection opened ${doc} with timeline ${docLink.timeline}, not ${timeline}`,
      });
      return;
    }
    const range = this.doc(doc).receiveTimeline(timeline, first, entries as never);
    this.send(link, { type: 'timeline-range', doc, timeline, range });
    // "server: ensure remote.step is scheduled"
    queueMicrotask(() => this.stepDoc(doc));
  }

  private onStorageRange(link: Link, doc: string, range: LsnRange | null): void {
    const docLink = link.docs.get(doc);
    if (!docLink) {
      this.send(link, { type: 'error', code: 'not-open', doc, message: `document ${doc} was not opened on this connection` });
      return;
    }
    docLink.remoteStorage = range;
    docLink.inFlight = false;
    this.pushStorage(link, doc);
  }

  private stepDoc(doc: string): void {
    const store = this.docs.get(doc);
    if (!store) return;
    try {
      let changed = 0;
      // Bounded: each step consumes one queued range; new ranges arrive only through handle().
      for (let i = 0; i < 10_000 && store.hasWork; i++) changed += store.step();
      if (changed > 0) for (const link of this.links.values()) if (link.docs.has(doc)) this.pushStorage(link, doc);
    } catch (thrown) {
      // A failed step rolled back its transaction; the entry stays queued on disk and is retried after a restart.
      console.error(`sqlsync: step of ${doc} failed:`, thrown);
    }
  }

  /** Storage sync: server -> client, prepared from the cached client range, sized by bytes. */
  private pushStorage(link: Link, doc: string): void {
    const docLink = link.docs.get(doc);
    const store = this.docs.get(doc);
    if (!docLink || !store || docLink.inFlight) return;
    const server = store.storageRange();
    if (!server) return;
    const first = docLink.remoteStorage ? docLink.remoteStorage.last + 1 : server.first;
    if (first > server.last) return;
    const entries = [];
    let bytes = 0;
    for (const entry of store.storageEntries(first, 500)) {
      bytes += JSON.stringify(entry).length;
      if (entries.length > 0 && bytes > MAX_BATCH_BYTES) break;
      entries.push(entry);
    }
    docLink.inFlight = true;
    this.send(link, { type: 'storage-sync', doc, partial: { id: doc, range: { first, last: first + entries.length - 1 }, entries } });
  }

  /** The server's own view of a document (tests compare it with every client). */
  query(doc: string, sql: string): Array<Record<string, unknown>> {
    return this.doc(doc).query(sql);
  }

  close(): void {
    for (const store of this.docs.values()) store.close();
    this.docs.clear();
    this.links.clear();
  }
}
