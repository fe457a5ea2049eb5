/**
 * The Worker in front of the Durable Objects: `/temporal/person/<personID>` upgrades to the person's WebSocket.
 * (Authentication is out of scope for the reference engine: the person id in the path is trusted.)
 * This is the module wrangler deploys (wrangler.toml) and Miniflare runs (server/index.ts bundles it).
 */
import type { Env } from './cf-types.ts';

export { Person } from './person.ts';
export { Temporalizable } from './temporalizable.ts';

const SOCKET_PATH = /^\/temporal\/person\/([^/]+)$/;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    const match = SOCKET_PATH.exec(url.pathname);
    if (!match?.[1]) return new Response('not found: connect a WebSocket to /temporal/person/<personID>', { status: 404 });
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const personID = decodeURIComponent(match[1]);
    const headers = new Headers(request.headers);
    headers.set('x-person-id', personID);
    const stub = env.PERSON.get(env.PERSON.idFromName(personID));
    return stub.fetch(new Request(request, { headers }));
  },
};
