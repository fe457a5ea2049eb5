/** The temporal dissector (design note 004): Temporalizable entities over WebSocket, their browser channels, and blueprint's HTTP TemporalEntity. */
import { defineDissector } from '../core/dissector.ts';
import { frameDecodes, type TemporalMessage } from './decode.ts';
import { exactRules, matchTemporal } from './detect.ts';
import { temporalModel } from './model.ts';
import { initTemporal, reduceTemporal, type TemporalState } from './reduce.ts';

export const temporalDissector = defineDissector<TemporalMessage, TemporalState>({
  id: 'temporal',
  label: 'Temporal entities (Temporalizable / TemporalEntity)',
  exact: exactRules,
  match: matchTemporal,
  decode: (frame) => frameDecodes.take(frame),
  init: initTemporal,
  reduce: (state, event, frame) => reduceTemporal(state, event, frame),
  summarize: summarizeTemporal,
  model: temporalModel,
});

export function summarizeTemporal(message: TemporalMessage): string {
  switch (message.channel) {
    case 'ws': {
      const m = message.message;
      if (m.kind === 'request') {
        const at = m.method === 'get' ? m.headers?.ifModifiedSince : 'headers' in m ? m.headers?.ifUnmodifiedSince : undefined;
        const keys = m.method === 'patchDiff' ? ` {${Object.keys(m.body.diff).join(', ')}}` : '';
        return `${m.method} ${m.entity.type}/${m.entity.id}${keys}${at ? ` since ${at}` : ''} #${m.requestID}`;
      }
      if (m.kind === 'response') {
        const what = !m.body ? '' : 'error' in m.body ? ` ${m.body.error.message}` : 'diff' in m.body ? ' diff' : ' value';
        const entity = m.entity ? ` ${m.entity.type}/${m.entity.id}` : '';
        return `${m.status} ${m.method ?? '?'}${entity}${what}${m.body?.meta ? ` @ ${m.body.meta.validFrom}` : ''}`;
      }
      return `update ${m.entity.type}/${m.entity.id} {${Object.keys(m.diff).join(', ')}} ${m.baseValidFrom} → ${m.meta.validFrom}`;
    }
    case 'broadcast': {
      const m = message.message;
      const entity = `${m.entity.type}/${m.entity.id}`;
      if (m.kind === 'ack') return `ack ${entity} ${m.updateID} from ${m.storeID}`;
      if (m.kind === 'upstream') return `upstream ${entity} {${Object.keys(m.diff).join(', ')}} on ${m.baseValidFrom}`;
      return `${m.kind} ${entity} @ ${m.meta.validFrom} on ${message.name}`;
    }
    case 'port':
      return `port ${message.message.kind}`;
    case 'http-request':
      return `${message.method} /temporal-entity/${message.target.type}/${message.target.version}${message.target.id ? `/${message.target.id}` : ''}`;
    case 'http-response': {
      const body = message.body;
      const what = !body ? '' : 'error' in body ? ` ${body.error.message}` : ` @ ${body.meta.validFrom}`;
      return `${message.status} ${message.method} ${message.target.type}${what}`;
    }
    default:
      return 'temporal';
  }
}
