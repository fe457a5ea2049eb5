export * from './client.ts';
export * from './state.ts';
export * from './store.ts';
