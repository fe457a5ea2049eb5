export * from './codec.ts';
export * from './decode.ts';
export * from './detect.ts';
export { linearDissector, summarize } from './dissector.ts';
export * from './model.ts';
export * from './reduce.ts';
export * from './schemas.ts';
