/**
 * The Person Durable Object: a Temporalizable (a person's own name, emails...) that also holds one hibernating
 * WebSocket per browser the person is logged in from (the SharedWorker's). It validates every message from the
 * socket, answers bad ones with a 400 naming the field, and proxies requests to the upstream entity object, which
 * is itself when the entity is this person. Downstream updates arrive by POST /downstream and go to every socket.
 */
import { decodeWire, encodeWire } from '../../../protocols/temporal/codec.ts';
import { parseWireMessage } from '../../../protocols/temporal/decode.ts';
import type { Request, Update, Response as WireResponse } from '../../../protocols/temporal/schemas.ts';
import { type HibernatableWebSocket, newWebSocketPair } from './cf-types.ts';
import { errorResponse, requestFields, Temporalizable } from './temporalizable.ts';

export const PERSON_TYPE = 'person';

interface SocketAttachment {
  personID: string;
}

export class Person extends Temporalizable {
  override async fetch(request: globalThis.Request): Promise<globalThis.Response> {
    const url = new URL(request.url);
    if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
      const personID = request.headers.get('x-person-id');
      if (!personID) return new Response('x-person-id missing', { status: 400 });
      const [client, server] = newWebSocketPair();
      // Hibernation: the runtime keeps the socket open while this object is evicted from memory.
      this.ctx.acceptWebSocket(server);
      server.serializeAttachment({ personID } satisfies SocketAttachment);
      return new Response(null, { status: 101, webSocket: client } as ResponseInit);
    }
    if (url.pathname === '/downstream' && request.method === 'POST') {
      const decoded = decodeWire(new Uint8Array(await request.arrayBuffer()));
      const parsed = decoded.ok ? parseWireMessage(decoded.value) : undefined;
      if (!parsed?.ok || parsed.message.kind !== 'update') return new Response('expected an update', { status: 400 });
      return new Response(null, { status: this.sendToSockets(parsed.message) > 0 ? 200 : 410 });
    }
    return super.fetch(request);
  }

  async webSocketMessage(socket: HibernatableWebSocket, data: ArrayBuffer | string): Promise<void> {
    const personID = (socket.deserializeAttachment() as SocketAttachment | null)?.personID;
    if (!personID) return socket.close(1011, 'socket has no person');
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
    const decoded = decodeWire(bytes);
    if (!decoded.ok) return send(socket, errorResponse({}, 400, `message is not cbor-x structured clone: ${decoded.error.reason}`));
    const parsed = parseWireMessage(decoded.value);
    if (!parsed.ok) return send(socket, errorResponse(requestFields(decoded.value), 400, parsed.error.reason));
    if (parsed.message.kind !== 'request')
      return send(socket, errorResponse(requestFields(decoded.value), 400, `kind: a browser sends requests, not ${parsed.message.kind}s`));
    const request = { ...parsed.message, from: { id: personID, type: PERSON_TYPE } } as Request & { from: { id: string; type: string } };
    try {
      send(socket, await this.route(personID, request));
    } catch (error) {
      send(socket, errorResponse(request, 500, `upstream failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  webSocketClose(socket: HibernatableWebSocket, code: number): void {
    try {
      socket.close(code === 1005 ? 1000 : code, 'closed');
    } catch {
      // Already closed: nothing to do.
    }
  }

  webSocketError(): void {
    // The runtime drops the socket; entities notice on their next update (no browser left means unsubscribed).
  }

  /** This person's own entity is handled here; any other goes to its Temporalizable object. */
  private async route(personID: string, request: Request & { from: { id: string; type: string } }): Promise<WireResponse> {
    if (request.entity.type === PERSON_TYPE && request.entity.id === personID) return this.handle(request);
    const namespace = request.entity.type === PERSON_TYPE ? this.env.PERSON : this.env.TEMPORALIZABLE;
    const stub = namespace.get(
      namespace.idFromName(request.entity.type === PERSON_TYPE ? request.entity.id : `${request.entity.type}/${request.entity.id}`),
    );
    const answer = await stub.fetch('https://entity/', { method: 'POST', body: encodeWire(request) as BodyInit });
    const decoded = decodeWire(new Uint8Array(await answer.arrayBuffer()));
    const parsed = decoded.ok ? parseWireMessage(decoded.value) : undefined;
    if (!parsed?.ok || parsed.message.kind !== 'response')
      return errorResponse(request, 502, 'upstream entity answered with something that is not a response');
    return parsed.message;
  }

  /** Its own changes go straight to its own sockets; other subscribers through their Person objects. */
  protected override async deliver(personID: string, update: Update): Promise<boolean> {
    const own = this.ctx.getWebSockets().some((s) => (s.deserializeAttachment() as SocketAttachment | null)?.personID === personID);
    if (own) return this.sendToSockets(update) > 0;
    return super.deliver(personID, update);
  }

  private sendToSockets(update: Update): number {
    let sent = 0;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(encodeWire(update));
        sent += 1;
      } catch {
        // A socket closing under us: the others still get the update.
      }
    }
    return sent;
  }
}

function send(socket: HibernatableWebSocket, message: WireResponse): void {
  try {
    socket.send(encodeWire(message));
  } catch {
    // The browser went away; it re-sends its pending requests when it reconnects.
  }
}
