/**
 * @syncscope/inspector/store — the session store the panel, the overlay and the CLI share. UI-independent.
 *
 *   const store = new SessionStore({ cap?: 1_000_000, registry?: createRegistry(), checkpointEvery?, schedule? });
 *
 * Input
 *   store.add(frame)               a RawFrame or a tap's frame without seq/t; returns the stored frame. A seq not
 *                                  above the last one is renumbered (original in meta.originalSeq). A complete,
 *                                  in-order frame is stored as the same object: do not mutate it afterwards.
 *   store.addMany(frames)          same, for an iterable.
 *   store.finish()                 end of a recording: undecided connections get their protocol (or `unknown`).
 *   store.clear()
 *   store.addRedactions(names) / store.redactions
 *
 * Positions: every frame gets an absolute position, stable for its whole life in the store (until clear()).
 *   store.start, store.end         retained positions are [start, end); store.size = end - start.
 *   store.dropped                  exact count of frames evicted by the cap (they leave in blocks of checkpointEvery).
 *   store.frame(p), store.info(p)  the RawFrame; its {protocol, type, ok, error?} (undefined while undecided).
 *   store.searchText(p)            the payload as a text search sees it (JSON printed; the first 4,096 characters).
 *   store.frames(from?, to?)       iterator over retained frames.
 *   store.positionOfSeq(seq), store.positionAtTime(t)
 *
 * Indexes
 *   store.query({conn?, protocol?, type?, from?, to?, fromTime?, toTime?}) -> positions, in order.
 *   store.connections() / protocols() / types()   Map of key -> retained frame count ("protocol/type" for types).
 *
 * Derived model (time travel through checkpoints; no per-frame copies)
 *   store.models()                 CommonModel per protocol, now.
 *   store.modelsAt(p), store.stateAt(p)   after the frame at p.
 *   store.decode(p)                {protocol, ok, type, message, lifecycle, summary} | {protocol, ok: false, error}.
 *   store.protocolOf(conn), store.decodeAs(conn, protocolId | undefined)   "decode as" refolds retained frames.
 *
 * Files
 *   store.exportSession(header?) -> session file text;  await store.importSession(textOrLines, {lenient?})
 *   store.exportHar() -> {har, skipped};                 store.importHar(parsedJson) -> {errors}
 *
 * Checks
 *   decodeProblems(store, ignore?) -> frames that are `unknown`, undecodable or undecided (for tests of engines).
 *
 * Notifications
 *   const off = store.subscribe((change) => ...)  at most once per batch (default: per microtask) with
 *   {added, evicted, refolded, cleared, start, end, dropped}.
 */
export * from './check.ts';
export * from './store.ts';
