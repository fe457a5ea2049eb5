/** `syncscope proxy`: runs the recording proxy until Ctrl-C, writing what it sees to a session file as it goes. */
import { createWriteStream } from 'node:fs';
import type { RawFrame } from '@syncscope/protocols/core';
import { startProxy } from '../proxy/proxy.ts';
import { type FrameInput, Recorder } from '../record/recorder.ts';
import { frameToLine, headerToLine, sessionHeader } from '../session/session-file.ts';

export interface ProxyCommandOptions {
  listen: string;
  target: string;
  out?: string;
  /** Extra receivers of each frame (the standalone panel's sink). */
  onFrame?: (frame: RawFrame) => void;
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(listen);
  if (!match) throw new Error(`--listen wants HOST:PORT or PORT, got "${listen}"`);
  const host = (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`--listen port ${port} is out of range`);
  return { host, port };
}

export async function runProxy(options: ProxyCommandOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const { host, port } = parseListen(options.listen);
  const recorder = new Recorder();
  const file = options.out ? createWriteStream(options.out, { encoding: 'utf8' }) : undefined;
  file?.write(`${headerToLine(sessionHeader({ origin: options.target }))}\n`);
  const onFrame = (input: FrameInput) => {
    const frame = recorder.add(input);
    file?.write(`${frameToLine(frame)}\n`);
    options.onFrame?.(frame);
  };
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy({ target: options.target, host, port, onFrame });
  } catch (error) {
    file?.end();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`${host}:${port} is already in use; choose another --listen port`);
    throw error;
  }
  return {
    url: proxy.url,
    async stop() {
      await proxy.close();
      await new Promise<void>((resolve) => (file ? file.end(resolve) : resolve()));
    },
  };
}
