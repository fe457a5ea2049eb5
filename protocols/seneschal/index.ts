export * from './codec.ts';
export * from './decode.ts';
export * from './detect.ts';
export { seneschalDissector, summarize } from './dissector.ts';
export * from './model.ts';
export * from './reduce.ts';
export * from './schemas.ts';
