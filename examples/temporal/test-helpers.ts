/** Shared by the scenario tests and the fixture recorder: servers in temp dirs, clients, raw sockets. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { FrameInput } from '../../inspector/src/record/recorder.ts';
import { decodeWire, encodeWire } from '../../protocols/temporal/codec.ts';
import type { WireMessage } from '../../protocols/temporal/schemas.ts';
import { createNodeClient, type TemporalClient } from './client/node-client.ts';
import { type RunningServer, startServer } from './server/index.ts';

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function withServer(dataDir: string, port = 0): Promise<RunningServer & { port: number }> {
  const server = await startServer({ dataDir, port, host: '127.0.0.1' });
  return { ...server, port: Number(new URL(server.url).port) };
}

export function client(url: string, personID: string, name: string, onFrame?: (frame: FrameInput) => void): TemporalClient {
  return createNodeClient({ serverURL: url, personID, name, reconnectDelayMs: 100, ...(onFrame ? { onFrame } : {}) });
}

/** A socket speaking the wire protocol directly, for malformed input and exact answers. */
export async function rawSocket(url: string, personID: string) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}temporal/person/${personID}`);
  const inbox: WireMessage[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data: Buffer) => {
    const decoded = decodeWire(new Uint8Array(data));
    if (decoded.ok) inbox.push(decoded.value as WireMessage);
    for (const l of listeners) l();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    sendValue: (value: unknown) => socket.send(encodeWire(value as WireMessage)),
    sendBytes: (bytes: Uint8Array) => socket.send(bytes),
    /** The next message matching `pick`, within 5 s. */
    next<T extends WireMessage>(pick: (m: WireMessage) => boolean): Promise<T> {
      return new Promise((resolve, reject) => {
        const look = () => {
          const index = inbox.findIndex(pick);
          if (index < 0) return;
          listeners.delete(look);
          clearTimeout(timer);
          resolve(inbox.splice(index, 1)[0] as T);
        };
        const timer = setTimeout(() => {
          listeners.delete(look);
          reject(new Error('no matching message within 5 s'));
        }, 5000);
        listeners.add(look);
        look();
      });
    },
    close: () => socket.close(),
  };
}

export const byRequest = (requestID: string) => (m: WireMessage) => m.kind === 'response' && m.requestID === requestID;
