export * from './har.ts';
export * from './session-file.ts';
