/**
 * Pipeline throughput: decode + validate + fold (the store's whole path) per protocol on its recorded sessions,
 * against a bare decode of the same payloads with the codec they are in (JSON.parse, cbor-x, msgpackr).
 * Goal: at least a third of the bare decode's speed.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { base64ToBytes, createRegistry, decodeCbor, decodeMsgpack, type RawFrame, sniffBytes } from '@syncscope/protocols';
import { parseFrameLine } from '../../inspector/src/session/session-file.ts';
import { SessionStore } from '../../inspector/src/store/index.ts';
import { parseXml } from '../../protocols/updatelog/xml.ts';
import type { BenchRow } from './table.ts';

const root = join(import.meta.dirname, '../..');
const TARGET_FRAMES = 50_000;

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
 * The recorded traffic repeated (fresh seq and time, the same connections) until it holds TARGET_FRAMES frames: a
 * long session of the same clients, as an app that stays open produces.
 */
function inflate(frames: RawFrame[]): RawFrame[] {
  const out: RawFrame[] = [];
  while (out.length < TARGET_FRAMES) {
    for (const frame of frames) out.push({ ...frame, seq: out.length, t: out.length });
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

export async function pipelineBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [protocol, recorded] of fixturesByProtocol()) {
    const frames = inflate(recorded);
    const bare = frames.map(bareDecoder).filter((f): f is Bare => f !== undefined);
    // Warm both paths once so the JIT has seen them, then measure.
    for (const decode of bare.slice(0, 5000)) decode();
    const warm = new SessionStore({ registry: createRegistry() });
    warm.addMany(frames.slice(0, 5000));
    const bareMs = time(() => {
      for (const decode of bare) decode();
    });
    const store = new SessionStore({ registry: createRegistry() });
    const pipelineMs = await profiled(`pipeline-${protocol}`, () =>
      time(() => {
        store.addMany(frames);
        store.finish();
      }),
    );
    process.stderr.write(`bench: pipeline: ${protocol} ${Math.round(pipelineMs)} ms vs bare ${Math.round(bareMs)} ms\n`);
    const undecodable = [...store.frames()].filter((_, i) => !store.info(store.start + i)?.ok).length;
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
      note: `${frames.length.toLocaleString('en-US')} frames${undecodable ? `, ${undecodable} undecodable` : ''}`,
    });
  }
  return rows;
}
