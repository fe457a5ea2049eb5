/** A raw socket that collects every reply, to speak to the server without the client's checks. */
import WebSocket from 'ws';

export async function rawSocket(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/seneschal`);
  const replies: Array<Record<string, unknown>> = [];
  const waiting: Array<() => void> = [];
  ws.on('message', (data) => {
    replies.push(JSON.parse(data.toString()));
    for (const wake of waiting.splice(0)) wake();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const next = async () => {
    while (replies.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    return replies.shift() as Record<string, unknown>;
  };
  return { ws, next, send: (data: string | Buffer) => ws.send(data) };
}
