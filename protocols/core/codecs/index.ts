export * from './bincode.ts';
export * from './cbor.ts';
export * from './json.ts';
export * from './msgpack.ts';
export * from './result.ts';
export * from './sniff.ts';
