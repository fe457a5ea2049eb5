/**
 * @syncscope/protocols: the frame model and codecs (core/) and one folder per protocol. `createRegistry()` is
 * what the store, the panel and the CLI use; a protocol is known to syncscope once it is listed here.
 */
import type { AnyDissector } from './core/dissector.ts';
import { Registry } from './core/registry.ts';
import { linearDissector } from './linear/dissector.ts';
import { seneschalDissector } from './seneschal/index.ts';
import { sqlsyncDissector } from './sqlsync/dissector.ts';
import { temporalDissector } from './temporal/dissector.ts';
import { updatelogDissector } from './updatelog/dissector.ts';

export * from './core/index.ts';

/** Every protocol syncscope ships, in the order heuristics are tried. */
export const dissectors: readonly AnyDissector[] = [
  linearDissector,
  seneschalDissector,
  sqlsyncDissector,
  temporalDissector,
  updatelogDissector,
];

export function createRegistry(extra: readonly AnyDissector[] = []): Registry {
  return new Registry([...dissectors, ...extra]);
}
