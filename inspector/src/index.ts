export * from './record/recorder.ts';
export * from './session/index.ts';
