/**
 * A byte-level TCP proxy on 127.0.0.1 that forwards both directions as they come, and can be told to kill the
 * connection in the middle of the next chunk that matches a rule: the bytes before the cut are delivered, the rest
 * never is, and both sockets are closed. That is a socket closed mid-frame (WebSocket) or mid-body (HTTP) as the
 * endpoints really see it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Prng } from './prng.ts';
import { withoutExtensionOffer } from './ws-frames.ts';

/** up: client to server; down: server to client. */
export type Direction = 'up' | 'down';

export interface ChunkInfo {
  /** Which connection through the proxy (0, 1, ...). */
  connection: number;
  /** Chunks already seen in this direction on this connection (the first chunk is 0). */
  index: number;
}

/** Where to cut a chunk (bytes kept, 0 <= n < chunk.length), or undefined to let it through whole. */
export type CutAt = (chunk: Buffer, info: ChunkInfo) => number | undefined;

export interface CutReport {
  dir: Direction;
  connection: number;
  /** Bytes of the torn chunk that were delivered, and its full length. */
  delivered: number;
  length: number;
  /** The torn chunk, whole (what the receiver never got all of). */
  chunk: Buffer;
}

export interface TcpProxy {
  readonly port: number;
  /** http://127.0.0.1:<port> (engines take their server's URL; the proxy is transparent to the scheme). */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Arms a cut: resolves when a chunk matched and its connection was killed mid-chunk. */
  cut(dir: Direction, at: CutAt): Promise<CutReport>;
  /** Drops every armed cut that has not fired (their promises stay pending), and stops chaos. */
  disarm(): void;
  /** Seeded cuts: each chunk that `match` accepts is torn at a random byte with probability `cut`, until disarm(). */
  chaos(options: TcpChaosOptions): void;
  /** Connections torn so far (armed and chaos). */
  readonly cuts: number;
  close(): Promise<void>;
}

interface ArmedCut {
  dir: Direction;
  at: CutAt;
  resolve(report: CutReport): void;
}

export interface TcpChaosOptions {
  prng: Prng;
  /** Probability that a chunk is torn. */
  cut: number;
  dirs?: readonly Direction[];
  /** Only chunks this accepts may be torn (default: every chunk but a connection's first, its HTTP head). */
  match?: (chunk: Buffer, info: ChunkInfo) => boolean;
}

export interface TcpProxyOptions {
  upstreamPort: number;
  upstreamHost?: string;
  /**
   * Take the Sec-WebSocket-Extensions offer out of WebSocket upgrade requests, so permessage-deflate is never
   * negotiated and cut rules can read every frame's payload (a compressed frame can only be picked blindly).
   */
  plainWebSocketFrames?: boolean;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const host = options.upstreamHost ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let armed: ArmedCut[] = [];
  let chaos: TcpChaosOptions | undefined;
  let accepted = 0;
  let cuts = 0;
  /** A one-off cut drawn from the chaos settings for this chunk, if any. */
  const chaosRule = (dir: Direction, chunk: Buffer, info: ChunkInfo): ArmedCut | undefined => {
    if (!chaos || chunk.length < 2 || !(chaos.dirs ?? ['up', 'down']).includes(dir)) return undefined;
    if (!(chaos.match?.(chunk, info) ?? info.index > 0)) return undefined;
    if (!chaos.prng.chance(chaos.cut)) return undefined;
    const at = chaos.prng.int(1, chunk.length - 1);
    return { dir, at: () => at, resolve: () => undefined };
  };

  const server: Server = createServer((client) => {
    const connection = accepted++;
    const upstream = connect({ port: options.upstreamPort, host });
    sockets.add(client);
    sockets.add(upstream);
    const seen = { up: 0, down: 0 };
    let torn = false;
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    const relay = (from: Socket, to: Socket, dir: Direction) => {
      from.on('data', (raw: Buffer) => {
        if (torn) return;
        const info = { connection, index: seen[dir]++ };
        const chunk = options.plainWebSocketFrames && dir === 'up' && info.index === 0 ? withoutExtensionOffer(raw) : raw;
        const random = chaosRule(dir, chunk, info);
        for (const rule of random ? [random, ...armed] : armed) {
          if (rule.dir !== dir) continue;
          const at = rule.at(chunk, info);
          if (at === undefined || at < 0 || at >= chunk.length) continue;
          armed = armed.filter((r) => r !== rule);
          torn = true;
          cuts++;
          // Deliver the head, then close both ends once it is handed to the kernel: the receiver gets a frame
          // (or body) that stops short, followed by the end of the stream.
          to.write(chunk.subarray(0, at), () => {
            kill();
            rule.resolve({ dir, connection, delivered: at, length: chunk.length, chunk });
          });
          return;
        }
        to.write(chunk);
      });
      from.on('end', () => to.end());
      from.on('error', kill);
      from.on('close', () => {
        sockets.delete(from);
        if (!to.destroyed && to.writableEnded) return;
        if (torn) to.destroy();
      });
    };
    relay(client, upstream, 'up');
    relay(upstream, client, 'down');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port after listen');
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return accepted;
    },
    cut(dir, at) {
      return new Promise<CutReport>((resolve) => {
        armed.push({ dir, at, resolve });
      });
    },
    disarm() {
      armed = [];
      chaos = undefined;
    },
    chaos(options) {
      chaos = options;
    },
    get cuts() {
      return cuts;
    },
    async close() {
      armed = [];
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
