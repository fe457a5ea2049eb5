/**
 * Frames across JSON-only channels (runtime ports, WebSockets): a frame's `json` payload is a structured-clone
 * value (bytes, Map, Date ...), so it crosses as tagged JSON and is restored on the other side.
 */
import { fromTaggedJson, type RawFrame, toTaggedJson } from '@syncscope/protocols/core';
import type { HookEvent } from './messages.ts';

const mapFrames = (event: HookEvent, map: (frame: RawFrame) => RawFrame): HookEvent =>
  event.type === 'frames' || event.type === 'snapshot' ? { ...event, frames: event.frames.map(map) } : event;

export const frameToJson = (frame: RawFrame): RawFrame => (frame.json === undefined ? frame : { ...frame, json: toTaggedJson(frame.json) });
export const frameFromJson = (frame: RawFrame): RawFrame =>
  frame.json === undefined ? frame : { ...frame, json: fromTaggedJson(frame.json) };

/** Before a JSON-only hop. */
export const eventToJson = (event: HookEvent): HookEvent => mapFrames(event, frameToJson);
/** After a JSON-only hop (and after validation). */
export const eventFromJson = (event: HookEvent): HookEvent => mapFrames(event, frameFromJson);
