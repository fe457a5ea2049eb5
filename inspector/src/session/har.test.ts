import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry, Deriver } from '@syncscope/protocols';
import { describe, expect, it } from 'vitest';
import { exportHar, importHar } from './har.ts';

const sampleHar = JSON.parse(readFileSync(join(import.meta.dirname, '../../../examples/sessions/sample.har'), 'utf8'));

describe('HAR', () => {
  it("reads Chrome's HAR: requests, responses and _webSocketMessages, in time order, decodable by their protocol", () => {
    const { frames, errors } = importHar(sampleHar);
    expect(errors).toEqual([]);
    const kinds = new Set(frames.map((f) => `${f.transport}:${f.kind}:${f.dir}`));
    expect(kinds).toEqual(
      new Set(['http:request:out', 'http:response:in', 'websocket:open:out', 'websocket:message:out', 'websocket:message:in']),
    );
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames.every((f, i) => i === 0 || f.t >= (frames[i - 1] as (typeof frames)[number]).t)).toBe(true);
    const response = frames.find((f) => f.kind === 'response');
    expect(response?.meta?.status).toBe(200);
    expect(response?.meta?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const deriver = new Deriver(createRegistry());
    for (const frame of frames) deriver.push(frame);
    deriver.finish();
    expect(frames.map((_, i) => deriver.info(i)).filter((info) => !info?.ok || info.protocol !== 'linear')).toEqual([]);
  });

  it('export then import keeps websocket and http traffic', () => {
    const { frames } = importHar(sampleHar);
    const exported = exportHar(frames);
    expect(exported.skipped).toBe(0);
    const again = importHar(JSON.parse(JSON.stringify(exported.har))).frames;
    const shape = (f: (typeof frames)[number]) => [f.transport, f.kind, f.dir, f.text ?? f.b64, f.meta?.url, f.meta?.status];
    expect(again.map(shape)).toEqual(frames.map(shape));
  });

  it('reports a broken entry by index and keeps the others', () => {
    const broken = {
      log: {
        entries: [
          { startedDateTime: 'yesterday', request: { method: 'GET', url: 'x' }, response: { status: 200 } },
          sampleHar.log.entries[0],
        ],
      },
    };
    const { frames, errors } = importHar(broken);
    expect(errors).toEqual([{ entry: 0, reason: 'startedDateTime "yesterday" is not a date' }]);
    expect(frames).toHaveLength(2);
    expect(() => importHar({ nope: true })).toThrow('not a HAR file');
  });
});
