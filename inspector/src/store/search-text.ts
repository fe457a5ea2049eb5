/**
 * The payload text a text filter searches: a text payload as is, a JSON payload as the views print it, either cut
 * to its first SEARCH_TEXT_LIMIT characters (binary payloads have none). Printing every JSON payload on each
 * filter was half the time of filtering a million frames, so printed JSON is kept per store slot, up to a budget
 * of characters; past it, a payload is printed when searched.
 */
import type { RawFrame } from '@syncscope/protocols/core';
import { compactJson } from './printed-json.ts';

export const SEARCH_TEXT_LIMIT = 4096;
/** Characters of printed JSON kept (about that many bytes for ASCII); a million-frame session needs a fraction of it. */
export const SEARCH_TEXT_BUDGET = 48 * 1024 * 1024;

const cut = (text: string): string => (text.length > SEARCH_TEXT_LIMIT ? text.slice(0, SEARCH_TEXT_LIMIT) : text);

export class SearchTexts {
  /** Printed JSON by slot; set for every slot as it is folded (undefined for others), so the array stays dense. */
  private printed: Array<string | undefined> = [];
  private chars = 0;

  constructor(private readonly budget = SEARCH_TEXT_BUDGET) {}

  /** Prints and keeps the JSON payload of the frame now in `slot`, while the budget allows. */
  keep(slot: number, frame: RawFrame): void {
    this.forget(slot);
    let text: string | undefined;
    if (frame.json !== undefined && this.chars < this.budget) {
      text = cut(compactJson(frame.json));
      this.chars += text.length;
    }
    this.printed[slot] = text;
  }

  /** The slot's frame left the store. */
  forget(slot: number): void {
    const old = this.printed[slot];
    if (old !== undefined) {
      this.chars -= old.length;
      this.printed[slot] = undefined;
    }
  }

  /** The searchable text of `frame`, which is in `slot`. */
  get(slot: number, frame: RawFrame): string | undefined {
    if (frame.text !== undefined) return cut(frame.text);
    if (frame.json === undefined) return undefined;
    return this.printed[slot] ?? cut(compactJson(frame.json));
  }

  clear(): void {
    this.printed = [];
    this.chars = 0;
  }

  /** Characters kept (for tests and heap accounting). */
  get size(): number {
    return this.chars;
  }
}
