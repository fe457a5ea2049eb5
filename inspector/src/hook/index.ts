/**
 * @syncscope/inspector/hook — the page-side taps. Small on purpose: no zod, no Preact, no codecs (a size test
 * keeps the built hook under 10 kB minified + gzipped).
 *
 *   import { installHook } from '@syncscope/inspector/hook';
 *   const hook = installHook({ record: true });            // every tap, in this window
 *   const off = hook.subscribe((event) => { if (event.type === 'frames') ... });
 *   hook.uninstall();                                       // everything restored
 */
export type { HookCommand, HookEvent, HookStatus, RedactionConfig } from '../bridge/messages.ts';
export { Capture, type CaptureOptions, type FramePart, type HookListener } from './capture.ts';
export { type HookHandle, type HookOptions, installHook } from './install.ts';
export { DEFAULT_REDACTED_FIELDS, DEFAULT_REDACTED_HEADERS, REDACTED, Redactor } from './redact.ts';
