/**
 * The SharedWorker of design note 004: one per browser profile and origin. It holds the WebSocket to the person's
 * Person object and the full value and meta of every subscribed entity (through the shared TemporalClient), fans
 * confirmed changes out on each entity's BroadcastChannel, turns store edits heard on `upstream` into patchDiffs,
 * and unsubscribes entities whose downstream updates no store acks on `ack` in time.
 */
import {
  ACK_CHANNEL,
  BroadcastMessage,
  type Downstream,
  type EntityRef,
  entityChannel,
  type Meta,
  PortMessage,
  type Snapshot,
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
const awaitingAck = new Map<string, { entity: EntityRef; timer: ReturnType<typeof setTimeout> }>();
let client: TemporalClient | undefined;

function channelOf(entity: EntityRef): BroadcastChannel {
  let channel = channels.get(keyOf(entity));
  if (!channel) {
    channel = new BroadcastChannel(entityChannel(entity.id));
    channels.set(keyOf(entity), channel);
  }
  return channel;
}

function broadcastStatus(): void {
  const message: PortMessage = { kind: 'status', connected: Boolean(client?.online), pending: 0 };
  for (const port of ports) port.postMessage(message);
}

/** Sends what changed since the last broadcast as a diff, or the whole value when the store may have nothing. */
function fanOut(entity: EntityRef, view: EntityView, forceSnapshot = false): void {
  const confirmed = view.confirmed;
  if (!confirmed) return;
  const key = keyOf(entity);
  const previous = lastSent.get(key);
  if (!forceSnapshot && previous && previous.meta.validFrom === confirmed.meta.validFrom) return;
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
  const timer = setTimeout(() => {
    awaitingAck.delete(updateID);
    // No store acknowledged it: nobody shows this entity any more.
    client?.unsubscribe(entity);
    lastSent.delete(key);
  }, ACK_TIMEOUT_MS);
  awaitingAck.set(updateID, { entity, timer });
}

function start(serverURL: string, person: EntityRef): void {
  if (client) return;
  client = new TemporalClient({
    serverURL,
    personID: person.id,
    name: `worker-${person.id}`,
    reconnectDelayMs: 1000,
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    onChange: (ref, view) => fanOut(ref, view),
  });
  const connecting = client.connect().catch(() => undefined);
  void connecting.then(broadcastStatus);
  setInterval(broadcastStatus, 1000);
}

const upstream = new BroadcastChannel(UPSTREAM_CHANNEL);
upstream.onmessage = (event: MessageEvent) => {
  const parsed = BroadcastMessage.safeParse(event.data);
  if (!parsed.success || parsed.data.kind !== 'upstream') return;
  // Stores post diffs against what they see; the client queues them and sends patchDiff with their base.
  client?.patch(parsed.data.entity, parsed.data.diff);
};

const ack = new BroadcastChannel(ACK_CHANNEL);
ack.onmessage = (event: MessageEvent) => {
  const parsed = BroadcastMessage.safeParse(event.data);
  if (!parsed.success || parsed.data.kind !== 'ack') return;
  const waiting = awaitingAck.get(parsed.data.updateID);
  if (!waiting) return;
  clearTimeout(waiting.timer);
  awaitingAck.delete(parsed.data.updateID);
};

function onPortMessage(port: MessagePort, data: unknown): void {
  const parsed = PortMessage.safeParse(data);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.kind === 'connect') start(message.serverURL, message.person);
  if (!client) return;
  if (message.kind === 'subscribe') {
    client.subscribe(message.entity);
    // A new store (or a stale one) needs the whole value it may not have.
    fanOut(message.entity, client.view(message.entity), true);
  } else if (message.kind === 'post') {
    client.create(message.entity, message.value);
  }
  port.postMessage({ kind: 'status', connected: client.online, pending: 0 } satisfies PortMessage);
}

(self as unknown as { onconnect: (event: MessageEvent) => void }).onconnect = (event: MessageEvent) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  port.onmessage = (e: MessageEvent) => onPortMessage(port, e.data);
  port.start();
};
