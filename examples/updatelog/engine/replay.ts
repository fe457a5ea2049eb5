/**
 * The one code path from an update to a state: revive each action's argument from typed JSON and call the
 * method it names. A local method call goes through here too (the client makes the update first), so calling
 * and replaying cannot differ.
 */
import { TypedJsonError, type Update } from '@syncscope/protocols/updatelog';
import { stampOf } from '../model/league.ts';
import type { AppModel } from './app-model.ts';

export interface LoggedUpdate {
  /** The timestamp its key carries in the log it was read from (shared, or the client's own pending one). */
  timestamp: number;
  update: Update;
}

export function replayUpdate<S>(app: AppModel<S>, state: S, logged: LoggedUpdate): S {
  const stamp = stampOf(logged.timestamp, logged.update.id);
  let next = state;
  logged.update.actions.forEach((action, actionIndex) => {
    let data: unknown;
    try {
      data = app.types.revive(action.data, ['actions', actionIndex, 'data']);
    } catch (thrown) {
      const reason = thrown instanceof TypedJsonError ? thrown.message : String(thrown);
      next = app.reject(next, { updateId: logged.update.id, actionIndex, rule: 'typed-json', reason });
      return;
    }
    next = app.apply(next, action.type, data, stamp, actionIndex);
  });
  return next;
}

/** Updates in log order: timestamp, then id (what two keys of one millisecond sort by). */
export function byLogOrder(a: LoggedUpdate, b: LoggedUpdate): number {
  return a.timestamp - b.timestamp || (a.update.id < b.update.id ? -1 : a.update.id > b.update.id ? 1 : 0);
}

export function replayAll<S>(app: AppModel<S>, base: S, updates: readonly LoggedUpdate[]): S {
  return [...updates].sort(byLogOrder).reduce((state, logged) => replayUpdate(app, state, logged), base);
}
