/**
 * Pipeline throughput: decode + validate + fold (the store's whole path) per protocol on its recorded sessions,
 * against a bare decode of the same payloads with the codec they are in (JSON.parse, cbor-x, msgpackr).
 * Goal: at least a third of the bare decode's speed.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import {
  type AnyDissector,
  base64ToBytes,
  type ConnInfo,
  createRegistry,
  decodeCbor,
  decodeMsgpack,
  defineDissector,
  emptyModel,
  foldAll,
  isLifecycle,
  type RawFrame,
  Registry,
  sniffBytes,
} from '@syncscope/protocols';
import { parseFrameLine } from '../../inspector/src/session/session-file.ts';
import { SessionStore } from '../../inspector/src/store/index.ts';
import { listResultToXml } from '../../protocols/updatelog/codec.ts';
import { parseXml } from '../../protocols/updatelog/xml.ts';
import type { BenchRow } from './table.ts';

const root = join(import.meta.dirname, '../..');
const TARGET_FRAMES = 50_000;
const RUNS = 3;

const median = (values: number[]): number => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function fixturesByProtocol(): Map<string, RawFrame[]> {
  const out = new Map<string, RawFrame[]>();
  for (const entry of readdirSync(join(root, 'protocols'), { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'core') continue;
    const dir = join(root, 'protocols', entry.name, 'fixtures');
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.syncscope.jsonl') && !f.startsWith('public-'));
    } catch {
      continue;
    }
    const frames: RawFrame[] = [];
    for (const file of files) {
      for (const line of readFileSync(join(dir, file), 'utf8').trimEnd().split('\n').slice(1)) {
        const parsed = parseFrameLine(line);
        if (parsed.ok) frames.push({ ...parsed.frame, conn: `${file}:${parsed.frame.conn}` });
      }
    }
    if (frames.length) out.set(entry.name, frames);
  }
  return out;
}

/**
 * The recorded traffic repeated (fresh seq and time) until it holds TARGET_FRAMES frames: a long session of the same
 * clients, as an app that stays open produces. Each repetition has connections of its own, as new HTTP exchanges
 * and reconnected sockets do (reusing the recorded ids hid a per-connection cost that grew with the session).
 */
function inflate(frames: RawFrame[]): RawFrame[] {
  const out: RawFrame[] = [];
  for (let round = 0; out.length < TARGET_FRAMES; round++) {
    for (const frame of frames) out.push({ ...frame, seq: out.length, t: out.length, conn: `${frame.conn}#${round}` });
  }
  return out.slice(0, TARGET_FRAMES);
}

type Bare = () => unknown;

function bareDecoder(frame: RawFrame): Bare | undefined {
  if (frame.text !== undefined) {
    const text = frame.text;
    const trimmed = text.trim();
    // S3's XML listings and errors: Node has no XML parser, so the peer is the XML codec the protocol parses them
    // with (updatelog/xml.ts), without the checks of their fields that follow it.
    if (trimmed.startsWith('<')) return () => parseXml(trimmed);
    // NDJSON bodies (bootstraps, journals): one JSON value per line, some as `ModelName={...}`.
    if (trimmed.includes('\n')) return () => trimmed.split('\n').map((l) => (l.trim() ? JSON.parse(l.replace(/^[A-Za-z_]+=/, '')) : null));
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return () => JSON.parse(text);
    return () => text.length;
  }
  if (frame.b64 !== undefined) {
    const b64 = frame.b64;
    const codec = sniffBytes(base64ToBytes(b64)).codec;
    if (codec === 'cbor') return () => decodeCbor(base64ToBytes(b64));
    if (codec === 'msgpack') return () => decodeMsgpack(base64ToBytes(b64));
    return () => base64ToBytes(b64);
  }
  if (frame.json !== undefined) return () => frame.json;
  return undefined;
}

/**
 * Where the pipeline's time goes, for the row's note: each frame's decode + validate alone (its dissector's decode
 * with the connection info the fold gave it), and the store and fold bookkeeping alone (the same frames through a
 * store whose one dissector accepts everything and keeps no state).
 */
function breakdown(frames: RawFrame[]): { decodeMs: number; bookkeepingMs: number } {
  const registry = createRegistry();
  const conns = foldAll(registry, frames).conns;
  const jobs: Array<{ frame: RawFrame; dissector: AnyDissector; info: ConnInfo }> = [];
  for (const frame of frames) {
    const record = conns.get(frame.conn);
    const dissector = record?.protocol === undefined ? undefined : registry.get(record.protocol);
    if (record && dissector && !isLifecycle(frame)) jobs.push({ frame, dissector, info: record.info });
  }
  const nothing = defineDissector({
    id: 'nothing',
    label: 'accepts every frame, keeps nothing',
    match: () => 1,
    decode: () => ({ ok: true, type: 'frame', message: null }),
    init: () => null,
    reduce: (state) => state,
    summarize: () => '',
    model: emptyModel,
  });
  const decodeRuns: number[] = [];
  const bookkeepingRuns: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    decodeRuns.push(
      time(() => {
        for (const { frame, dissector, info } of jobs) dissector.decode(frame, info);
      }),
    );
    const store = new SessionStore({ registry: new Registry([nothing]) });
    bookkeepingRuns.push(
      time(() => {
        store.addMany(frames);
        store.finish();
      }),
    );
  }
  return { decodeMs: median(decodeRuns), bookkeepingMs: median(bookkeepingRuns) };
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/**
 * SYNCSCOPE_BENCH_PROFILE=<dir> records the CPU profile of each protocol's pipeline run into
 * <dir>/pipeline-<protocol>.cpuprofile (open them in DevTools' Performance panel). The figures of a profiled run
 * are slower than usual; profile and measure in separate runs.
 */
async function profiled<T>(name: string, run: () => T): Promise<T> {
  const dir = process.env.SYNCSCOPE_BENCH_PROFILE;
  if (!dir) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * Large state in few frames, as real sessions start: a workspace bootstrap of 100,000 objects in one body (linear)
 * and a shared log listed in 20 pages of 1,000 keys (updatelog). A dissector that copied its state per object was
 * quadratic here (16,000 objects took 52 s); the peer is the bare decode of the same bodies.
 */
function largeStateSessions(): Array<{ name: string; items: number; unit: string; frames: RawFrame[] }> {
  const frame = (seq: number, conn: string, kind: 'request' | 'response', url: string, text?: string): RawFrame => ({
    seq,
    t: seq,
    transport: 'http',
    conn,
    dir: kind === 'request' ? 'out' : 'in',
    kind,
    ...(text !== undefined ? { text } : {}),
    meta: { url, method: 'GET', ...(kind === 'response' ? { status: 200 } : {}) },
  });
  const objects = 100_000;
  const lines = Array.from(
    { length: objects },
    (_, i) => `Issue=${JSON.stringify({ id: `issue-${i}`, title: `Issue ${i}`, teamId: 'team-1', syncId: 1 })}`,
  );
  lines.push('_metadata_={"lastSyncId":1}');
  const bootstrapUrl = 'http://127.0.0.1:4101/bootstrap?type=full';
  const listing: RawFrame[] = [];
  const pages = 20;
  for (let page = 0; page < pages; page++) {
    const keyOf = (n: number) => `league/main/shared/${1_800_000_000_000 + n}-update-${n}`;
    // Each page starts after the last key of the one before, as a client pages through ListObjectsV2.
    const after = page > 0 ? `&start-after=${encodeURIComponent(keyOf(page * 1000 - 1))}` : '';
    const url = `http://127.0.0.1:4101/league?list-type=2&prefix=league%2Fmain%2Fshared%2F${after}`;
    const Contents = Array.from({ length: 1000 }, (_, i) => ({
      Key: keyOf(page * 1000 + i),
      LastModified: '2026-11-22T00:00:00.000Z',
      ETag: '"e"',
      Size: 100,
    }));
    const body = listResultToXml({
      Name: 'league',
      Prefix: 'league/main/shared/',
      KeyCount: 1000,
      MaxKeys: 1000,
      IsTruncated: page < pages - 1,
      Contents,
    });
    listing.push(frame(page * 2, `list-${page}`, 'request', url), frame(page * 2 + 1, `list-${page}`, 'response', url, body));
  }
  return [
    {
      name: 'linear: one bootstrap body of 100,000 objects',
      items: objects,
      unit: 'objects/s',
      frames: [frame(0, 'bootstrap', 'request', bootstrapUrl), frame(1, 'bootstrap', 'response', bootstrapUrl, lines.join('\n'))],
    },
    { name: 'updatelog: a shared log of 20,000 keys listed in 20 pages', items: pages * 1000, unit: 'keys/s', frames: listing },
  ];
}

function largeStateRows(): BenchRow[] {
  return largeStateSessions().map(({ name, items, unit, frames }) => {
    const bare = frames.map(bareDecoder).filter((f): f is Bare => f !== undefined);
    const bareMs = time(() => {
      for (const decode of bare) decode();
    });
    const store = new SessionStore({ registry: createRegistry() });
    const pipelineMs = time(() => {
      store.addMany(frames);
      store.finish();
    });
    const entities = Object.values(store.models()).reduce((sum, model) => sum + Object.keys(model.entities).length, 0);
    const decoded = [...store.frames()].filter((_, i) => store.info(store.start + i)?.ok).length;
    process.stderr.write(`bench: pipeline: ${name} ${Math.round(pipelineMs)} ms vs bare ${Math.round(bareMs)} ms\n`);
    const rate = (items / pipelineMs) * 1000;
    const bareRate = (items / bareMs) * 1000;
    return {
      group: 'pipeline',
      name: `${name}: decode + validate + fold`,
      figure: rate,
      unit,
      peer: { name: 'bare decode of the same bodies', figure: bareRate },
      ratio: rate / bareRate,
      ratioMeans: 'of bare speed',
      note: `${Math.round(pipelineMs).toLocaleString('en-US')} ms; ${decoded} of ${frames.length} frames decoded${entities ? `, ${entities.toLocaleString('en-US')} entities in the model` : ''}`,
    };
  });
}

export async function pipelineBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [protocol, recorded] of fixturesByProtocol()) {
    const frames = inflate(recorded);
    const bare = frames.map(bareDecoder).filter((f): f is Bare => f !== undefined);
    // Warm both paths once so the JIT has seen them, then measure.
    for (const decode of bare.slice(0, 5000)) decode();
    const warm = new SessionStore({ registry: createRegistry() });
    warm.addMany(frames.slice(0, 5000));
    // Median of three runs of each, alternated, so one pause of the machine does not decide the ratio.
    const bareRuns: number[] = [];
    const pipelineRuns: number[] = [];
    let store = new SessionStore({ registry: createRegistry() });
    for (let run = 0; run < RUNS; run++) {
      bareRuns.push(
        time(() => {
          for (const decode of bare) decode();
        }),
      );
      store = new SessionStore({ registry: createRegistry() });
      const fresh = store;
      pipelineRuns.push(
        await profiled(`pipeline-${protocol}`, () =>
          time(() => {
            fresh.addMany(frames);
            fresh.finish();
          }),
        ),
      );
    }
    const bareMs = median(bareRuns);
    const pipelineMs = median(pipelineRuns);
    process.stderr.write(`bench: pipeline: ${protocol} ${Math.round(pipelineMs)} ms vs bare ${Math.round(bareMs)} ms\n`);
    const undecodable = [...store.frames()].filter((_, i) => !store.info(store.start + i)?.ok).length;
    const { decodeMs, bookkeepingMs } = breakdown(frames);
    const share = (ms: number) => `${Math.round((100 * ms) / pipelineMs)} %`;
    const pipelineRate = (frames.length / pipelineMs) * 1000;
    const bareRate = (bare.length / bareMs) * 1000;
    const ratio = pipelineRate / bareRate;
    rows.push({
      group: 'pipeline',
      name: `${protocol}: decode + validate + fold`,
      figure: pipelineRate,
      unit: 'frames/s',
      peer: { name: 'bare decode of the same payloads', figure: bareRate },
      ratio,
      ratioMeans: 'of bare speed',
      goal: '≥ 0.33',
      met: ratio >= 1 / 3,
      note:
        `${frames.length.toLocaleString('en-US')} frames${undecodable ? `, ${undecodable} undecodable` : ''}; median of ${RUNS}. ` +
        `Of its time: decode + validate alone ${share(decodeMs)} (${(bareMs / decodeMs).toFixed(2)} of bare speed on its own), ` +
        `store and fold bookkeeping alone ${share(bookkeepingMs)} (${((bookkeepingMs * 1000) / frames.length).toFixed(1)} µs a frame, ` +
        `${(bookkeepingMs / bareMs).toFixed(1)} × the bare decode), the reducers and heuristics the rest`,
    });
  }
  rows.push(...largeStateRows());
  return rows;
}
