/**
 * What the engine needs of an app: its typed JSON registry, an empty state, and replay of one action (a method
 * name and its one argument) under a stamp. The engine knows nothing else about the app; the league is one.
 */
import type { Flag, TypeRegistry } from '@syncscope/protocols/updatelog';

export interface AppModel<S> {
  /** The "@type" of the state in snapshots. */
  name: string;
  types: TypeRegistry;
  empty(): S;
  /** Calls method `type` with `data` (already revived); must not depend on arrival order. */
  apply(state: S, type: string, data: unknown, stamp: string, actionIndex: number): S;
  /** Keeps an action that could not even be revived, flagged for a person. */
  reject(state: S, flag: Flag): S;
  flags(state: S): Flag[];
  isState(value: unknown): value is S;
}
