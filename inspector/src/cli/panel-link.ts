/**
 * Sends frames that did not come from a tap (the recording proxy's) to a standalone panel's remote endpoint,
 * in the same RemoteToPanel messages the Node taps use, batched per tick and chunked under the channel budget.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import WebSocket from 'ws';
import { splitForChannel } from '../bridge/chunk.ts';
import { BRIDGE_VERSION, SOURCE } from '../bridge/constants.ts';
import { eventToJson } from '../bridge/wire.ts';

export interface PanelLink {
  send(frame: RawFrame): void;
  close(): Promise<void>;
}

export async function linkToPanel(remoteUrl: string, client: string): Promise<PanelLink> {
  const socket = new WebSocket(remoteUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', (error) => reject(new Error(`cannot reach the panel at ${remoteUrl}: ${error.message}`)));
  });
  let batch: RawFrame[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!batch.length || socket.readyState !== WebSocket.OPEN) return;
    const message = { source: SOURCE.remote, v: BRIDGE_VERSION, client, event: eventToJson({ type: 'frames', frames: batch, dropped: 0 }) };
    batch = [];
    for (const piece of splitForChannel(message, SOURCE.remote)) socket.send(JSON.stringify(piece));
  };
  return {
    send(frame) {
      batch.push(frame);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    async close() {
      flush();
      await new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}
