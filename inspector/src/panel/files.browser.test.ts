/** Importing a file in Chromium: a bad line stops the import with an error that nothing reported later replaces. */
import { describe, expect, it } from 'vitest';
import { frameToLine, headerToLine, sessionHeader } from '../session/session-file.ts';
import { SessionStore } from '../store/index.ts';
import { importFile } from './files.ts';

/**
 * A file read from disk streams in chunks of 64 KiB; one built in memory comes as one chunk. This one streams in
 * chunks, as the file picker's files do.
 */
class DiskLikeFile extends File {
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const whole = this.slice();
    let offset = 0;
    return new ReadableStream({
      async pull(controller) {
        if (offset >= whole.size) return controller.close();
        controller.enqueue(new Uint8Array(await whole.slice(offset, offset + 65_536).arrayBuffer()));
        offset += 65_536;
      },
    });
  }
}

/** A session file of a few hundred KB with a bad 4th line. */
function brokenSession(): File {
  const lines = [headerToLine(sessionHeader({ origin: 'files test' }))];
  for (let seq = 0; seq < 4000; seq++) {
    lines.push(
      frameToLine({
        seq,
        t: seq,
        transport: 'websocket',
        conn: 'c',
        dir: 'in',
        kind: 'message',
        text: JSON.stringify({ n: seq, pad: 'x'.repeat(60) }),
      }),
    );
  }
  lines.splice(3, 0, '{"seq": "not a number"}');
  return new DiskLikeFile([lines.join('\n')], 'broken.syncscope.jsonl');
}

describe('importFile in Chromium', () => {
  it('names the bad line, and no progress is reported after the outcome', async () => {
    const file = brokenSession();
    expect(file.size).toBeGreaterThan(256 * 1024);
    const store = new SessionStore();
    let outcomeAt: number | undefined;
    const late: number[] = [];
    let reports = 0;
    const outcome = await importFile(store, file, (fraction) => {
      reports++;
      if (outcomeAt !== undefined) late.push(fraction);
    });
    outcomeAt = performance.now();
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.ok ? '' : outcome.error).toMatch(/^broken\.syncscope\.jsonl:4: /);
    // The rest of the file would have streamed on behind the failed import: give it time to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(late).toEqual([]);
    expect(reports).toBeGreaterThan(0);
    expect(store.size).toBe(0);
  });
});
