/**
 * The SharedWorker of design note 004: one per browser profile and origin. It holds the WebSocket to the person's
 * Person object and the full value and meta of every subscribed entity (through the shared TemporalClient), fans
 * confirmed changes out on each entity's BroadcastChannel, turns store edits heard on `upstream` into patchDiffs,
 * and unsubscribes entities whose downstream updates no store acks on `ack` in time.
 */

import type { FrameInput } from '../../../inspector/src/record/recorder.ts';
import {
  ACK_CHANNEL,
  BroadcastMessage,
  type Downstream,
  type EntityRef,
  entityChannel,
  type Meta,
  PortMessage,
  type Snapshot,
  TAP_CHANNEL,
  UPSTREAM_CHANNEL,
} from '../../../protocols/temporal/schemas.ts';
import { diffValues, type EntityView, keyOf, type SocketLike, TemporalClient } from '../client/sync-client.ts';

/** How long a downstream update may wait for an ack before the entity is considered unwatched. */
export const ACK_TIMEOUT_MS = 5000;

interface Sent {
  value: Record<string, unknown>;
  meta: Meta;
}

const ports = new Set<MessagePort>();
const lastSent = new Map<string, Sent>();
const channels = new Map<string, BroadcastChannel>();
/** Ports whose store subscribed before this worker held the entity: its first value goes to them directly. */
const awaitingFirstValue = new Map<string, Set<MessagePort>>();
const awaitingAck = new Map<string, { entity: EntityRef; timer: ReturnType<typeof setTimeout> }>();
let client: TemporalClient | undefined;
/** Set when a page asked for recording: every frame goes out on the tap channel (t stamped here). */
let tap: BroadcastChannel | undefined;
let portCount = 0;
/** Names this worker's connections in recordings, so two browser profiles recorded together stay apart. */
const workerID = crypto.randomUUID().slice(0, 6);

function record(frame: FrameInput): void {
  tap?.postMessage({ ...frame, t: Date.now() });
}

/** A channel message as a frame: what the worker posts and what it hears, in the form the broadcast tap writes. */
function recordChannel(channel: string, json: unknown): void {
  record({ transport: 'broadcast', conn: `bc:${channel}@${workerID}`, dir: 'local', kind: 'message', json, meta: { channel } });
}

function channelOf(entity: EntityRef): BroadcastChannel {
  let channel = channels.get(keyOf(entity));
  if (!channel) {
    channel = new BroadcastChannel(entityChannel(entity.id));
    channels.set(keyOf(entity), channel);
  }
  return channel;
}

function broadcastStatus(): void {
  const message: PortMessage = { kind: 'status', connected: Boolean(client?.online), pending: client?.queuedCount() ?? 0 };
  for (const port of ports) port.postMessage(message);
}

/**
 * Sends what changed since the last broadcast as a diff, or the whole value when the store may have nothing.
 * Returns the snapshot it broadcast, if it did.
 */
function fanOut(entity: EntityRef, view: EntityView, forceSnapshot = false): Snapshot | undefined {
  const confirmed = view.confirmed;
  if (!confirmed) return undefined;
  const key = keyOf(entity);
  const waitingPorts = awaitingFirstValue.get(key);
  if (waitingPorts) {
    awaitingFirstValue.delete(key);
    const first: Snapshot = {
      kind: 'snapshot',
      updateID: crypto.randomUUID(),
      entity,
      value: view.local ?? confirmed.value,
      meta: confirmed.meta,
    };
    for (const port of waitingPorts) port.postMessage(first);
  }
  const previous = lastSent.get(key);
  if (!forceSnapshot && previous && previous.meta.validFrom === confirmed.meta.validFrom) return undefined;
  const updateID = crypto.randomUUID();
  const message: Downstream | Snapshot =
    previous && !forceSnapshot
      ? {
          kind: 'downstream',
          updateID,
          entity,
          diff: diffValues(previous.value, confirmed.value),
          meta: confirmed.meta,
          baseValidFrom: previous.meta.validFrom,
        }
      : { kind: 'snapshot', updateID, entity, value: view.local ?? confirmed.value, meta: confirmed.meta };
  lastSent.set(key, { value: confirmed.value, meta: confirmed.meta });
  channelOf(entity).postMessage(message);
  recordChannel(entityChannel(entity.id), message);
  const timer = setTimeout(() => {
    awaitingAck.delete(updateID);
    // No store acknowledged it: nobody shows this entity any more.
    client?.unsubscribe(entity);
    lastSent.delete(key);
  }, ACK_TIMEOUT_MS);
  awaitingAck.set(updateID, { entity, timer });
  return message.kind === 'snapshot' ? message : undefined;
}

function start(serverURL: string, person: EntityRef, recording: boolean): void {
  if (recording) tap ??= new BroadcastChannel(TAP_CHANNEL);
  if (client) return;
  client = new TemporalClient({
    onFrame: record,
    serverURL,
    personID: person.id,
    name: `worker-${person.id}`,
    reconnectDelayMs: 1000,
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    onChange: (ref, view) => {
      fanOut(ref, view);
      broadcastStatus();
    },
  });
  const connecting = client.connect().catch(() => undefined);
  void connecting.then(broadcastStatus);
  setInterval(broadcastStatus, 1000);
}

const upstream = new BroadcastChannel(UPSTREAM_CHANNEL);
upstream.onmessage = (event: MessageEvent) => {
  const parsed = BroadcastMessage.safeParse(event.data);
  if (!parsed.success || parsed.data.kind !== 'upstream') return;
  recordChannel(UPSTREAM_CHANNEL, parsed.data);
  // Stores post diffs against what they see; the client queues them and sends patchDiff with their base, the
  // store's change id becoming the request id so the two can be matched in a recording.
  client?.patch(parsed.data.entity, parsed.data.diff, parsed.data.changeID);
};

const ack = new BroadcastChannel(ACK_CHANNEL);
ack.onmessage = (event: MessageEvent) => {
  const parsed = BroadcastMessage.safeParse(event.data);
  if (!parsed.success || parsed.data.kind !== 'ack') return;
  recordChannel(ACK_CHANNEL, parsed.data);
  const waiting = awaitingAck.get(parsed.data.updateID);
  if (!waiting) return;
  clearTimeout(waiting.timer);
  awaitingAck.delete(parsed.data.updateID);
};

function onPortMessage(port: MessagePort, name: string, data: unknown): void {
  const parsed = PortMessage.safeParse(data);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.kind === 'connect') start(message.serverURL, message.person, Boolean(message.record));
  record({ transport: 'worker', conn: name, dir: 'out', kind: 'message', json: message, meta: { channel: name } });
  if (!client) return;
  if (message.kind === 'subscribe') {
    client.subscribe(message.entity);
    // A new store (or a stale one) needs the whole value it may not have. The broadcast alone is not enough: a
    // channel the page created just before posting this subscribe may not be registered with the browser yet, and
    // would miss it. The requesting port always hears the answer (or, if the value is not here yet, the first one).
    const snapshot = fanOut(message.entity, client.view(message.entity), true);
    if (snapshot) port.postMessage(snapshot);
    else {
      const key = keyOf(message.entity);
      const waiting = awaitingFirstValue.get(key) ?? new Set<MessagePort>();
      awaitingFirstValue.set(key, waiting.add(port));
    }
  } else if (message.kind === 'post') {
    client.create(message.entity, message.value);
  } else if (message.kind === 'online') {
    if (message.online)
      void client
        .connect()
        .catch(() => undefined)
        .then(broadcastStatus);
    else client.disconnect();
    broadcastStatus();
  }
  const status: PortMessage = { kind: 'status', connected: client.online, pending: client.queuedCount() };
  port.postMessage(status);
  record({ transport: 'worker', conn: name, dir: 'in', kind: 'message', json: status, meta: { channel: name } });
}

(self as unknown as { onconnect: (event: MessageEvent) => void }).onconnect = (event: MessageEvent) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  const name = `temporal:port-${workerID}-${++portCount}`;
  port.onmessage = (e: MessageEvent) => onPortMessage(port, name, e.data);
  port.start();
};
