/**
 * The `dump --json` summary: counts and the derived model of a whole session, in the shape documented in the
 * README ("The dump contract"). Names of queues and journals are prefixed with their protocol id.
 */
import type { CommonModel, FrameInfo, Journal } from '@syncscope/protocols/core';

export interface DumpSummary {
  frames: number;
  decoded: number;
  undecodable: number;
  byProtocol: Record<string, number>;
  byType: Record<string, number>;
  entities: number;
  queues: Record<string, number>;
  journals: Record<string, Omit<Journal, 'lastFrame'>>;
  conflicts: Array<{ protocol: string; entity: string; field: string | null; rule: string; winner: string }>;
}

export function summarize(infos: ReadonlyArray<FrameInfo | undefined>, models: Record<string, CommonModel>): DumpSummary {
  const summary: DumpSummary = {
    frames: infos.length,
    decoded: 0,
    undecodable: 0,
    byProtocol: {},
    byType: {},
    entities: 0,
    queues: {},
    journals: {},
    conflicts: [],
  };
  for (const info of infos) {
    const protocol = info?.protocol ?? 'unknown';
    summary.byProtocol[protocol] = (summary.byProtocol[protocol] ?? 0) + 1;
    if (info?.ok) {
      summary.decoded++;
      const key = `${protocol}/${info.type}`;
      summary.byType[key] = (summary.byType[key] ?? 0) + 1;
    } else summary.undecodable++;
  }
  for (const [protocol, model] of Object.entries(models)) {
    summary.entities += Object.keys(model.entities).length;
    for (const [name, items] of Object.entries(model.queues)) summary.queues[`${protocol}/${name}`] = items.length;
    for (const [name, journal] of Object.entries(model.journals)) {
      const { lastFrame: _lastFrame, ...rest } = journal;
      summary.journals[`${protocol}/${name}`] = rest;
    }
    for (const conflict of model.conflicts) {
      summary.conflicts.push({
        protocol,
        entity: conflict.entity,
        field: conflict.field ?? null,
        rule: conflict.rule,
        winner: conflict.winner,
      });
    }
  }
  return summary;
}
