/**
 * An exchange-level HTTP relay: each request is read whole, sent to the upstream server, and its answer read
 * whole and passed back. Faults act on one exchange: the request delivered to the server twice (a retry the client
 * never made, or a duplicate from a middlebox), the answer cut off part-way through its body, the request cut off
 * part-way through its body (the server sees a truncated upload), or the answer held back until another answer
 * has gone out (answers in a different order than their requests).
 */

import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Prng } from './prng.ts';

export interface HttpExchange {
  /** Exchanges through the proxy so far, this one included (1, 2, ...). */
  index: number;
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  body: Buffer;
}

export type HttpMatch = (exchange: HttpExchange) => boolean;

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpFaultReport {
  fault: 'replay' | 'tear-response' | 'tear-request' | 'hold';
  exchange: HttpExchange;
  /** replay: the statuses of both deliveries. */
  statuses?: number[];
  /** tear-*: body bytes delivered before the cut, and the body's full length. */
  delivered?: number;
  length?: number;
  /** hold: the exchange whose answer went out first (undefined: none came in time). */
  overtakenBy?: HttpExchange;
}

export interface HttpFaults {
  /** The next matching request reaches the server twice; the client gets the answer to the second delivery. */
  replay(match: HttpMatch): Promise<HttpFaultReport>;
  /** The next matching answer stops after `fraction` of its body and the connection dies. */
  tearResponse(match: HttpMatch, fraction?: number): Promise<HttpFaultReport>;
  /** The next matching request reaches the server cut after `fraction` of its body; the client's connection dies. */
  tearRequest(match: HttpMatch, fraction?: number): Promise<HttpFaultReport>;
  /**
   * The next matching answer is held until another exchange's answer has gone out, or, given `until`, until that
   * settles (e.g. until the client has seen a WebSocket message the server sent after this answer).
   */
  hold(match: HttpMatch, until?: Promise<unknown>): Promise<HttpFaultReport>;
  /** Seeded faults on every exchange `match` accepts, until calm(). */
  chaos(options: HttpChaosOptions): void;
  calm(): void;
  readonly exchanges: number;
  readonly stats: HttpStats;
}

export interface HttpChaosOptions {
  prng: Prng;
  /** Probabilities, tried in this order for each exchange; at most one fault per exchange. */
  replay?: number;
  tearResponse?: number;
  tearRequest?: number;
  hold?: number;
  match?: HttpMatch;
}

export type HttpStats = Record<HttpFaultReport['fault'], number>;

interface Armed {
  fault: HttpFaultReport['fault'];
  match: HttpMatch;
  fraction: number;
  until?: Promise<unknown>;
  resolve(report: HttpFaultReport): void;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
/** A held answer goes out alone after this long if no other answer overtakes it (short under chaos). */
const CHAOS_HOLD_MS = 400;
const ARMED_HOLD_MS = 5_000;

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export class HttpRelay implements HttpFaults {
  private armed: Armed[] = [];
  private chaosOptions: HttpChaosOptions | undefined;
  private count = 0;
  readonly stats: HttpStats = { replay: 0, 'tear-response': 0, 'tear-request': 0, hold: 0 };
  private readonly held = new Set<{ exchange: HttpExchange; send(overtakenBy?: HttpExchange): void; timer: NodeJS.Timeout }>();
  private readonly target: URL;

  constructor(upstream: string) {
    this.target = new URL(upstream);
  }

  get exchanges(): number {
    return this.count;
  }

  replay(match: HttpMatch): Promise<HttpFaultReport> {
    return this.arm('replay', match, 0);
  }
  tearResponse(match: HttpMatch, fraction = 0.5): Promise<HttpFaultReport> {
    return this.arm('tear-response', match, fraction);
  }
  tearRequest(match: HttpMatch, fraction = 0.5): Promise<HttpFaultReport> {
    return this.arm('tear-request', match, fraction);
  }
  hold(match: HttpMatch, until?: Promise<unknown>): Promise<HttpFaultReport> {
    return this.arm('hold', match, 0, until);
  }

  chaos(options: HttpChaosOptions): void {
    this.chaosOptions = options;
  }

  calm(): void {
    this.chaosOptions = undefined;
    this.armed = [];
  }

  /** A one-off rule for this exchange drawn from the chaos settings, if any. */
  private chaosRule(exchange: HttpExchange): Armed | undefined {
    const chaos = this.chaosOptions;
    if (!chaos || !(chaos.match?.(exchange) ?? true)) return undefined;
    const resolve = () => undefined;
    const match = () => true;
    for (const fault of ['replay', 'tear-response', 'tear-request', 'hold'] as const) {
      const key = ({ replay: 'replay', 'tear-response': 'tearResponse', 'tear-request': 'tearRequest', hold: 'hold' } as const)[fault];
      if (chaos.prng.chance(chaos[key] ?? 0)) return { fault, match, fraction: chaos.prng.next(), resolve };
    }
    return undefined;
  }

  private arm(fault: Armed['fault'], match: HttpMatch, fraction: number, until?: Promise<unknown>): Promise<HttpFaultReport> {
    return new Promise((resolve) => this.armed.push({ fault, match, fraction, ...(until ? { until } : {}), resolve }));
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    void this.exchange(req, res).catch(() => {
      // The upstream is down or the client went away: the client sees its connection die, as without a proxy.
      res.socket?.destroy();
    });
  }

  private async exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const exchange: HttpExchange = { index: ++this.count, method: req.method ?? 'GET', url: req.url ?? '/', body };
    const armed = this.armed.find((r) => r.match(exchange));
    if (armed) this.armed = this.armed.filter((r) => r !== armed);
    const rule = armed ?? this.chaosRule(exchange);
    if (rule) this.stats[rule.fault]++;

    if (rule?.fault === 'tear-request') {
      const delivered = Math.max(0, Math.min(body.length - 1, Math.floor(body.length * rule.fraction)));
      await this.sendTorn(req, body, delivered);
      res.socket?.destroy();
      rule.resolve({ fault: 'tear-request', exchange, delivered, length: body.length });
      return;
    }
    let answer = await this.forward(req, body);
    if (rule?.fault === 'replay') {
      const first = answer;
      answer = await this.forward(req, body);
      rule.resolve({ fault: 'replay', exchange, statuses: [first.status, answer.status] });
    }
    if (rule?.fault === 'tear-response') {
      const delivered = Math.max(0, Math.min(answer.body.length - 1, Math.floor(answer.body.length * rule.fraction)));
      res.writeHead(answer.status, { ...endToEnd(answer.headers), 'content-length': String(answer.body.length) });
      res.write(answer.body.subarray(0, delivered), () => {
        res.socket?.destroy();
        rule.resolve({ fault: 'tear-response', exchange, delivered, length: answer.body.length });
      });
      return;
    }
    const send = (overtakenBy?: HttpExchange) => {
      if (!res.destroyed) {
        res.writeHead(answer.status, { ...endToEnd(answer.headers), 'content-length': String(answer.body.length) });
        res.end(answer.body);
      }
      if (rule?.fault === 'hold') rule.resolve({ fault: 'hold', exchange, ...(overtakenBy ? { overtakenBy } : {}) });
    };
    if (rule?.fault === 'hold' && rule.until) {
      const release = () => send();
      rule.until.then(release, release);
      return;
    }
    if (rule?.fault === 'hold') {
      const chaosHold = armed === undefined;
      const entry = {
        exchange,
        send,
        timer: setTimeout(
          () => {
            this.held.delete(entry);
            send();
          },
          chaosHold ? CHAOS_HOLD_MS : ARMED_HOLD_MS,
        ),
      };
      this.held.add(entry);
      return;
    }
    send();
    // Answers held for reordering go out right after this one.
    for (const entry of [...this.held]) {
      if (entry.exchange === exchange) continue;
      this.held.delete(entry);
      clearTimeout(entry.timer);
      entry.send(exchange);
    }
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...endToEnd(req.headers), 'content-length': String(body.length) },
          agent: false,
        },
        (answer) => {
          readBody(answer).then((data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }), reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  /** The request with its full length announced but only `delivered` bytes of body, then the connection dies. */
  private sendTorn(req: IncomingMessage, body: Buffer, delivered: number): Promise<void> {
    return new Promise((resolve) => {
      const out = httpRequest({
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), 'content-length': String(body.length) },
        agent: false,
      });
      out.on('error', () => resolve());
      out.flushHeaders();
      out.write(body.subarray(0, delivered), () => {
        // Give the server a moment to read what arrived before the connection drops under it.
        setTimeout(() => {
          out.destroy();
          resolve();
        }, 20);
      });
    });
  }

  close(): void {
    this.calm();
    for (const entry of this.held) clearTimeout(entry.timer);
    this.held.clear();
  }
}
