/**
 * `syncscope dump`: a decoded listing of a recording, like tshark's. Text for people; `--json` for tools, one
 * line per frame and a summary line (the contract documented in the README).
 */
import { type CommonModel, Deriver, type Registry, safeStringify } from '@syncscope/protocols';
import { loadSessionOrHar } from '../session/node.ts';
import { summarize } from './summary.ts';

export interface DumpOptions {
  json?: boolean;
  /** Decode every connection as this protocol (like Wireshark's "decode as"). */
  protocol?: string;
  lenient?: boolean;
}

export async function dump(path: string, registry: Registry, options: DumpOptions, write: (line: string) => void): Promise<void> {
  if (options.protocol !== undefined && !registry.get(options.protocol)) {
    throw new Error(`unknown protocol "${options.protocol}" (known: ${registry.ids().join(', ')})`);
  }
  const session = await loadSessionOrHar(path, { lenient: options.lenient });
  for (const problem of session.problems) console.error(`syncscope: skipped ${problem}`);
  if (options.protocol !== undefined) for (const frame of session.frames) registry.decodeAs(frame.conn, options.protocol);

  const deriver = new Deriver(registry);
  for (const frame of session.frames) deriver.push(frame);
  deriver.finish();
  const infos = session.frames.map((_, i) => deriver.info(i));
  const models = deriver.fold.models(deriver.latest());
  const conns = deriver.latest().conns;

  if (options.json) {
    session.frames.forEach((frame, i) => {
      const info = infos[i];
      const protocol = info?.protocol ?? 'unknown';
      write(
        JSON.stringify(
          info?.ok
            ? { seq: frame.seq, protocol, type: info.type, ok: true }
            : { seq: frame.seq, protocol, ok: false, error: info?.error?.reason ?? 'not decoded' },
        ),
      );
    });
    write(JSON.stringify({ summary: summarize(infos, models) }));
    return;
  }

  const start = session.frames[0]?.t ?? 0;
  session.frames.forEach((frame, i) => {
    const info = infos[i];
    const protocol = info?.protocol ?? 'unknown';
    let summary: string;
    if (!info?.ok) summary = `✗ ${info?.error?.reason ?? 'not decoded'}`;
    else {
      const connInfo = conns.get(frame.conn)?.info ?? { id: frame.conn, transport: frame.transport };
      const decoded = deriver.fold.decode(frame, protocol, connInfo);
      summary = decoded.ok ? summaryOf(registry, protocol, decoded) : `✗ ${decoded.error.reason}`;
    }
    const time = `+${((frame.t - start) / 1000).toFixed(3)}s`;
    write(
      [
        String(frame.seq).padStart(6),
        time.padStart(10),
        frame.transport.padEnd(9),
        frame.dir.padEnd(5),
        protocol.padEnd(10),
        (info?.type ?? '?').padEnd(18),
        summary,
      ]
        .join(' ')
        .trimEnd(),
    );
  });
  write('');
  for (const line of describeModels(models)) write(line);
  const summary = summarize(infos, models);
  write(`${summary.frames} frames, ${summary.decoded} decoded, ${summary.undecodable} undecodable`);
}

function summaryOf(registry: Registry, protocol: string, decoded: { type: string; message: unknown; lifecycle?: boolean }): string {
  if ('lifecycle' in decoded && decoded.lifecycle) {
    const meta = (decoded.message as { meta?: Record<string, unknown> }).meta ?? {};
    return [meta.url, meta.code !== undefined ? `code ${meta.code}` : undefined, meta.reason].filter(Boolean).join(' ');
  }
  try {
    return registry.get(protocol)?.summarize(decoded.message, decoded.type) ?? '';
  } catch {
    return safeStringify(decoded.message).slice(0, 120);
  }
}

/** The derived model in a few readable lines per protocol. */
export function describeModels(models: Record<string, CommonModel>): string[] {
  const lines: string[] = [];
  for (const [protocol, model] of Object.entries(models)) {
    lines.push(`${protocol}:`);
    lines.push(`  entities: ${Object.keys(model.entities).length}`);
    for (const [name, items] of Object.entries(model.queues)) {
      lines.push(
        `  queue ${name}: ${items.length} pending${
          items.length
            ? ` (${items
                .map((item) => item.label ?? item.id)
                .slice(0, 5)
                .join(', ')}${items.length > 5 ? ', …' : ''})`
            : ''
        }`,
      );
    }
    for (const [name, journal] of Object.entries(model.journals)) {
      const where = journal.range
        ? `[${journal.range.first}..${journal.range.last}]`
        : journal.range === null
          ? 'empty'
          : String(journal.cursor ?? '-');
      lines.push(`  journal ${name} (${journal.side}): ${where}`);
    }
    for (const conflict of model.conflicts) {
      lines.push(
        `  conflict ${conflict.entity}${conflict.field ? `.${conflict.field}` : ''}: ${conflict.rule}, ${conflict.winner} wins (local ${safeStringify(conflict.local)}, remote ${safeStringify(conflict.remote)})`,
      );
    }
    const phase = model.phases.at(-1);
    if (phase) lines.push(`  phase: ${phase.phase} since frame ${phase.frame}`);
  }
  return lines;
}
