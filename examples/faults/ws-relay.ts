/**
 * A message-level WebSocket relay: every socket a client opens to the proxy gets its own socket to the upstream
 * server (same path and subprotocol), and messages are passed on one by one in both directions, text as text and
 * binary as binary. Faults act on whole messages: one delivered twice, or held back and delivered after the one
 * that follows it (two messages swapped). They can be armed one at a time, or left to a seeded PRNG ("chaos").
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Prng } from './prng.ts';

/** up: client to server; down: server to client. */
export type WsDirection = 'up' | 'down';

export interface WsMessage {
  /** Which socket through the proxy (0, 1, ...). */
  link: number;
  dir: WsDirection;
  data: Buffer;
  binary: boolean;
}

export type WsMatch = (message: WsMessage) => boolean;

export interface WsFaultReport {
  fault: 'duplicate' | 'swap';
  message: WsMessage;
  /** For a swap: the message that overtook the held one (undefined: none came, the held one went out alone). */
  overtakenBy?: WsMessage;
}

export interface ChaosOptions {
  prng: Prng;
  /** Probability that a message is delivered twice. */
  duplicate?: number;
  /** Probability that a message is held and delivered after the next one. */
  swap?: number;
  dirs?: readonly WsDirection[];
  /** Only messages this accepts are subject to chaos. */
  match?: WsMatch;
}

export interface WsStats {
  relayed: number;
  duplicated: number;
  /** Swaps where another message really overtook the held one. */
  swapped: number;
  /** Held messages that went out alone (nothing followed them in time). */
  releasedAlone: number;
}

export interface WsFaults {
  /** The next message matching goes out twice. */
  duplicate(dir: WsDirection, match?: WsMatch): Promise<WsFaultReport>;
  /** The next message matching is held and delivered right after the one that follows it on its socket. */
  swap(dir: WsDirection, match?: WsMatch): Promise<WsFaultReport>;
  chaos(options: ChaosOptions): void;
  calm(): void;
  readonly stats: WsStats;
  readonly links: number;
}

interface Armed {
  fault: 'duplicate' | 'swap';
  dir: WsDirection;
  match: WsMatch;
  resolve(report: WsFaultReport): void;
}

/** Codes a peer may send in a close frame; anything else (1005, 1006, ...) becomes a plain 1000 or a drop. */
const sendable = (code: number) => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

/**
 * A held message goes out alone after this long if nothing overtakes it (a swap needs a second message): short
 * under chaos, where most holds are incidental; long for an armed swap, whose test makes the second message and
 * may be slow to on a loaded machine.
 */
const CHAOS_HOLD_MS = 250;
const ARMED_HOLD_MS = 5_000;

export class WsRelay implements WsFaults {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  private armed: Armed[] = [];
  private chaosOptions: ChaosOptions | undefined;
  private linkCount = 0;
  private readonly sockets = new Set<WebSocket>();
  readonly stats: WsStats = { relayed: 0, duplicated: 0, swapped: 0, releasedAlone: 0 };

  constructor(private readonly upstream: string) {}

  get links(): number {
    return this.linkCount;
  }

  duplicate(dir: WsDirection, match: WsMatch = () => true): Promise<WsFaultReport> {
    return new Promise((resolve) => this.armed.push({ fault: 'duplicate', dir, match, resolve }));
  }

  swap(dir: WsDirection, match: WsMatch = () => true): Promise<WsFaultReport> {
    return new Promise((resolve) => this.armed.push({ fault: 'swap', dir, match, resolve }));
  }

  chaos(options: ChaosOptions): void {
    this.chaosOptions = options;
  }

  calm(): void {
    this.chaosOptions = undefined;
    this.armed = [];
  }

  /** Takes over an HTTP upgrade request aimed at the proxy. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const protocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    this.wss.handleUpgrade(req, socket, head, (client) => this.link(client, req.url ?? '/', protocols));
  }

  private link(client: WebSocket, path: string, protocols: string[]): void {
    const link = this.linkCount++;
    const upstream = new WebSocket(`${this.upstream.replace(/^http/, 'ws')}${path}`, protocols);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const early: Array<{ data: RawData; binary: boolean }> = [];
    const held: Partial<Record<WsDirection, { message: WsMessage; report?: (overtaker?: WsMessage) => void; timer: NodeJS.Timeout }>> = {};
    const target = (dir: WsDirection) => (dir === 'up' ? upstream : client);

    const deliver = (message: WsMessage) => {
      const to = target(message.dir);
      if (to.readyState === WebSocket.OPEN) to.send(message.data, { binary: message.binary });
    };
    const release = (dir: WsDirection, overtaker?: WsMessage) => {
      const hold = held[dir];
      if (!hold) return;
      delete held[dir];
      clearTimeout(hold.timer);
      if (overtaker) this.stats.swapped++;
      else this.stats.releasedAlone++;
      deliver(hold.message);
      hold.report?.(overtaker);
    };
    const hold = (message: WsMessage, report?: (overtaker?: WsMessage) => void) => {
      const ms = report ? ARMED_HOLD_MS : CHAOS_HOLD_MS;
      held[message.dir] = { message, ...(report ? { report } : {}), timer: setTimeout(() => release(message.dir), ms) };
    };

    const onMessage = (dir: WsDirection, data: RawData, binary: boolean) => {
      const message: WsMessage = { link, dir, data: toBuffer(data), binary };
      this.stats.relayed++;
      // A message held for a swap goes out right after this one.
      if (held[dir]) {
        deliver(message);
        release(dir, message);
        return;
      }
      const rule = this.armed.find((r) => r.dir === dir && r.match(message));
      if (rule) {
        this.armed = this.armed.filter((r) => r !== rule);
        if (rule.fault === 'duplicate') {
          this.stats.duplicated++;
          deliver(message);
          deliver(message);
          rule.resolve({ fault: 'duplicate', message });
        } else {
          hold(message, (overtakenBy) => rule.resolve({ fault: 'swap', message, ...(overtakenBy ? { overtakenBy } : {}) }));
        }
        return;
      }
      const chaos = this.chaosOptions;
      if (chaos && (chaos.dirs ?? ['up', 'down']).includes(dir) && (chaos.match?.(message) ?? true)) {
        if (chaos.prng.chance(chaos.swap ?? 0)) return hold(message);
        if (chaos.prng.chance(chaos.duplicate ?? 0)) {
          this.stats.duplicated++;
          deliver(message);
        }
      }
      deliver(message);
    };

    upstream.on('open', () => {
      for (const m of early.splice(0)) onMessage('up', m.data, m.binary);
    });
    client.on('message', (data, binary) => {
      if (upstream.readyState === WebSocket.CONNECTING) early.push({ data, binary });
      else onMessage('up', data, binary);
    });
    upstream.on('message', (data, binary) => onMessage('down', data, binary));

    // A close goes through once what was held for that side is out: reordering must never become loss.
    const closeOther = (dir: WsDirection, code: number, reason: Buffer) => {
      release(dir);
      const to = target(dir);
      if (to.readyState === WebSocket.OPEN) to.close(sendable(code) ? code : 1000, reason.toString().slice(0, 120));
      else to.terminate();
    };
    client.on('close', (code, reason) => {
      this.sockets.delete(client);
      closeOther('up', code, reason);
    });
    upstream.on('close', (code, reason) => {
      this.sockets.delete(upstream);
      closeOther('down', code, reason);
    });
    client.on('error', () => upstream.terminate());
    upstream.on('error', () => client.terminate());
  }

  close(): void {
    this.calm();
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
