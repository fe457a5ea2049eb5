/** @syncscope/inspector/bridge — cross-context message schemas (messages.ts), chunking (chunk.ts), JSON hops (wire.ts). */
export * from './chunk.ts';
export * from './constants.ts';
export * from './messages.ts';
export * from './wire.ts';
