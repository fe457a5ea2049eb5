/** The seneschal dissector (design note 002): dispatches, rehydrate, per-property last-writer-wins, access lists. */
import { defineDissector } from '../core/index.ts';
import { decodeFrame } from './decode.ts';
import { exact, match } from './detect.ts';
import { toModel } from './model.ts';
import { init, iso, reduce, type SeneschalState } from './reduce.ts';
import type { Envelope, SeneschalMessage } from './schemas.ts';

function describe(envelope: Envelope): string {
  const [oid, data] = envelope.dispatch.payload;
  const props = Object.keys(data);
  return `${envelope.dispatch.action} ${oid}${props.length ? ` {${props.join(', ')}}` : ''} by ${envelope.clientID} @${iso(envelope.timestamp)}`;
}

export function summarize(decoded: SeneschalMessage): string {
  switch (decoded.kind) {
    case 'login-request':
      return `login ${decoded.message.username} as client ${decoded.message.clientID}`;
    case 'login-response':
      return `logged in: user ${decoded.message.userID}, client ${decoded.message.clientID}`;
    case 'register-request':
      return `register ${decoded.message.username}`;
    case 'register-response':
      return `registered user ${decoded.message.userID}`;
    case 'group':
      return `group ${decoded.message.gid} += user ${decoded.message.userID}`;
    case 'http-error':
      return `error ${decoded.message.error.code}: ${decoded.message.error.message}`;
    case 'http-request':
      return `${decoded.message.method} ${decoded.message.url}`;
    case 'envelope':
      return describe(decoded.message);
    case 'stored': {
      const w = decoded.message;
      if (w.op === 'delete') return `${w.store}: delete ${w.key}`;
      return w.store === 'unsent' ? `unsent: stored ${describe(w.dispatch.envelope)}` : `objects: ${w.object.slice} ${w.key}`;
    }
    case 'journal':
      return `journal: ${decoded.message.length} entr${decoded.message.length === 1 ? 'y' : 'ies'}`;
    case 'client': {
      const m = decoded.message;
      if (m.type === 'hello') return `hello from client ${m.clientID}`;
      if (m.type === 'rehydrate')
        return `rehydrate: ${m.dispatches.length} stored dispatch${m.dispatches.length === 1 ? '' : 'es'}${m.more ? ', more follow' : ''}`;
      if (m.type === 'dispatch') return `dispatch ${describe(m.envelope)}`;
      if (m.type === 'received') return `received ${m.ids.length}`;
      return `${m.allow ? 'grant' : 'revoke'} ${m.principal.kind} ${m.principal.id} on ${m.oid}`;
    }
    case 'server': {
      const m = decoded.message;
      if (m.type === 'welcome') return `welcome user ${m.userID}, client ${m.clientID}`;
      if (m.type === 'rehydrateBegin') return 'rehydrateBegin';
      if (m.type === 'rehydrateEnd') {
        const rejected = m.rejected?.length ? `, ${m.rejected.length} rejected` : '';
        return `rehydrateEnd: ${m.accepted.length} accepted${rejected}, ${m.queued} queued`;
      }
      if (m.type === 'ack') return `ack ${m.id}`;
      if (m.type === 'dispatch') return `${m.reason} dispatch ${describe(m.envelope)}`;
      return `error ${m.code}: ${m.message}`;
    }
  }
}

export const seneschalDissector = defineDissector<SeneschalMessage, SeneschalState>({
  id: 'seneschal',
  label: 'Seneschal (dispatches, rehydrate, per-property LWW)',
  exact,
  match,
  decode: (frame) => decodeFrame(frame),
  init,
  reduce: (state, event, frame) => reduce(state, event, frame),
  summarize: (message) => summarize(message),
  model: toModel,
});
