import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportHar, importHar } from './har.ts';

const sampleHar = JSON.parse(readFileSync(join(import.meta.dirname, '../../../examples/sessions/sample.har'), 'utf8'));

describe('HAR', () => {
  it("reads Chrome's HAR: requests, responses and _webSocketMessages (binary as base64)", () => {
    const { frames, errors } = importHar(sampleHar);
    expect(errors).toEqual([]);
    expect(frames.map((f) => `${f.seq}:${f.transport}:${f.kind}:${f.dir}`)).toEqual([
      '0:websocket:open:out',
      '1:websocket:message:out',
      '2:websocket:message:in',
      '3:websocket:message:in',
      '4:http:request:out',
      '5:http:response:in',
    ]);
    expect(frames[3]?.b64).toBeDefined();
    expect(frames[5]?.meta?.status).toBe(200);
    expect(frames[4]?.meta?.headers?.['content-type']).toBe('application/json');
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
