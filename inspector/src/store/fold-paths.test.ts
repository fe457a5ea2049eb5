/**
 * The store folds most frames through Fold.stepDecided (no conns map, no step result) and keeps connection records
 * itself. On every recorded fixture of the five protocols, its per-frame protocol/type and its models must be what
 * the plain Fold.step loop gives, at the end and in the middle (time travel replays through the same fast path).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from '@syncscope/protocols';
import { Fold, type FrameInfo, initialFoldState, type RawFrame } from '@syncscope/protocols/core';
import { describe, expect, it } from 'vitest';
import { parseFrameLine } from '../session/session-file.ts';
import { SessionStore } from './index.ts';

const protocolsDir = join(import.meta.dirname, '../../../protocols');

function recordedFrames(): RawFrame[] {
  const frames: RawFrame[] = [];
  for (const protocol of ['linear', 'seneschal', 'sqlsync', 'temporal', 'updatelog']) {
    const dir = join(protocolsDir, protocol, 'fixtures');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.syncscope.jsonl'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').trimEnd().split('\n').slice(1)) {
        const parsed = parseFrameLine(line);
        // Connections named per file, so two recordings' connection ids do not meet.
        if (parsed.ok) frames.push({ ...parsed.frame, seq: frames.length, t: frames.length, conn: `${file}:${parsed.frame.conn}` });
      }
    }
  }
  return frames;
}

/** The reference: Fold.step over one FoldState, every settled info kept by seq. */
function plainFold(frames: readonly RawFrame[]) {
  const fold = new Fold(createRegistry());
  let state = initialFoldState();
  const infos = new Map<number, FrameInfo>();
  const keep = (settled: ReadonlyArray<{ seq: number; info: FrameInfo }>) => {
    for (const { seq, info } of settled) if (!infos.has(seq)) infos.set(seq, info);
  };
  const modelsAfter = new Map<number, ReturnType<Fold['models']>>();
  for (const frame of frames) {
    const result = fold.step(state, frame);
    state = result.state;
    keep(result.settled);
    if (frame.seq % 97 === 0) modelsAfter.set(frame.seq, fold.models(state));
  }
  const finished = fold.finish(state);
  keep(finished.settled);
  return { infos, models: fold.models(finished.state), modelsAfter };
}

describe('store fold paths', () => {
  it('every fixture frame gets the protocol, type and models the plain fold gives', () => {
    const frames = recordedFrames();
    expect(frames.length).toBeGreaterThan(1000);
    const reference = plainFold(frames);
    const store = new SessionStore({ registry: createRegistry(), checkpointEvery: 64 });
    store.addMany(frames);
    store.finish();
    let compared = 0;
    for (let p = store.start; p < store.end; p++) {
      const info = store.info(p);
      expect(info, `frame ${p} (${store.frame(p)?.conn})`).toEqual(reference.infos.get(p));
      compared++;
    }
    expect(compared).toBe(frames.length);
    expect(store.models()).toEqual(reference.models);
    // Time travel replays from a checkpoint through the fast path too; connections still undecided at that point
    // are pending in both.
    for (const [seq, models] of reference.modelsAfter) expect(store.modelsAt(seq), `models after frame ${seq}`).toEqual(models);
  });
});
