/**
 * The Temporalizable Durable Object (design note 004): an entity's value with a timeline of snapshots, changed
 * only by `post`, `patchDiff`, `delete` and `patchUndelete`, read with `get`, and kept in sync downstream by
 * sending every change to its subscribers as `{diff, meta}`. Its `fetch` accepts only POSTs whose body is a socket
 * message (cbor-x structured clone); the answer is a socket message too, HTTP conventions living in its fields.
 */
import { diff as deepDiff } from 'deep-object-diff';
import { decodeWire, encodeWire } from '../../../protocols/temporal/codec.ts';
import { parseWireMessage } from '../../../protocols/temporal/decode.ts';
import { applyDiff, overlappingPaths, plainDiff } from '../../../protocols/temporal/diff.ts';
import {
  type Diff,
  END_OF_TIME,
  type EntityRef,
  type ErrorBody,
  type Meta,
  type Request,
  type Update,
  type Response as WireResponse,
} from '../../../protocols/temporal/schemas.ts';
import type { DurableObjectState, Env } from './cf-types.ts';
import { EntityStore, type Snapshot } from './entity-store.ts';

export const diffOf = (from: object, to: object): Diff => plainDiff(deepDiff(from, to));

/** A request with its sender known: the Person object that forwarded it. */
export type Routed = Request & { from: EntityRef };

export const binary = (message: WireResponse | Update): globalThis.Response =>
  new Response(encodeWire(message) as BodyInit, { headers: { 'content-type': 'application/cbor-sc' } });

export function errorResponse(
  request: Partial<Pick<Request, 'requestID' | 'method' | 'entity'>>,
  status: number,
  message: string,
  extra: Omit<ErrorBody, 'error'> = {},
): WireResponse {
  return {
    kind: 'response',
    requestID: request.requestID ?? null,
    method: request.method ?? null,
    entity: request.entity ?? null,
    status,
    body: { error: { message, status }, ...extra },
  };
}

const nowISO = (): string => new Date().toISOString();

export class Temporalizable {
  private readonly stores = new Map<string, EntityStore>();
  /** Requests run one at a time: each reads the latest version and may write the next. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    protected readonly ctx: DurableObjectState,
    protected readonly env: Env,
  ) {}

  async fetch(request: globalThis.Request): Promise<globalThis.Response> {
    if (request.method !== 'POST') return new Response('Temporalizable accepts only POST of a socket message', { status: 405 });
    const decoded = decodeWire(new Uint8Array(await request.arrayBuffer()));
    if (!decoded.ok) return binary(errorResponse({}, 400, `body is not cbor-x: ${decoded.error.reason}`));
    const parsed = parseWireMessage(decoded.value);
    if (!parsed.ok) return binary(errorResponse(requestFields(decoded.value), 400, parsed.error.reason));
    const message = parsed.message;
    if (message.kind !== 'request' || !message.from)
      return binary(errorResponse(requestFields(decoded.value), 400, 'from: a request forwarded to an entity names its sender'));
    return binary(await this.handle(message as Routed));
  }

  /** Runs one request in turn with the others; a bug becomes a 500 answer, never a crashed object. */
  handle(request: Routed): Promise<WireResponse> {
    const run = this.queue
      .then(() => this.dispatch(request))
      .catch((error: unknown) => errorResponse(request, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`));
    this.queue = run;
    return run;
  }

  protected storeOf(entity: EntityRef): EntityStore {
    const id = `${entity.type}/${entity.id}`;
    let store = this.stores.get(id);
    if (!store) {
      store = new EntityStore(this.ctx.storage, id, this.maxValueBytes());
      this.stores.set(id, store);
    }
    return store;
  }

  /** Overridable so tests of chunking need no megabyte values. */
  protected maxValueBytes(): number | undefined {
    return undefined;
  }

  private async dispatch(request: Routed): Promise<WireResponse> {
    const store = this.storeOf(request.entity);
    switch (request.method) {
      case 'post':
        return this.post(store, request);
      case 'get':
        return this.get(store, request);
      case 'patchDiff':
        return this.patchDiff(store, request);
      case 'delete':
      case 'patchUndelete':
        return this.setDeleted(store, request, request.method === 'delete');
      case 'unsubscribe':
        await store.setSubscribers((await store.subscribers()).filter((p) => p !== request.from.id));
        return { kind: 'response', requestID: request.requestID, method: request.method, entity: request.entity, status: 200 };
    }
  }

  private ok(request: Routed, status: number, body: WireResponse['body']): WireResponse {
    return {
      kind: 'response',
      requestID: request.requestID,
      method: request.method,
      entity: request.entity,
      status,
      ...(body ? { body } : {}),
    };
  }

  private async subscribe(store: EntityStore, personID: string): Promise<void> {
    const list = await store.subscribers();
    if (!list.includes(personID)) await store.setSubscribers([...list, personID]);
  }

  private async post(store: EntityStore, request: Routed & { method: 'post' }): Promise<WireResponse> {
    if (await store.latest()) return errorResponse(request, 400, 'entity already exists: change it with patchDiff');
    const meta: Meta = {
      userID: request.from.id,
      validFrom: nowISO(),
      validTo: END_OF_TIME,
      previousValues: diffOf(request.body.value, {}),
    };
    if (request.body.impersonatorID) meta.impersonatorID = request.body.impersonatorID;
    const committed = await store.append({ value: request.body.value, meta });
    await this.subscribe(store, request.from.id);
    return this.ok(request, 201, { value: committed.value, meta: committed.meta });
  }

  private async get(store: EntityStore, request: Routed & { method: 'get' }): Promise<WireResponse> {
    const latest = await store.latest();
    if (!latest) return errorResponse(request, 404, 'no such entity');
    await this.subscribe(store, request.from.id);
    if (latest.meta.deleted) return errorResponse(request, 404, 'entity is deleted: patchUndelete brings it back', { meta: latest.meta });
    const since = request.headers?.ifModifiedSince;
    if (since !== undefined && since >= latest.meta.validFrom) return this.ok(request, 304, undefined);
    const old = since !== undefined && (await store.versions()).includes(since) ? await store.snapshot(since) : undefined;
    if (old && since) return this.ok(request, 200, { diff: diffOf(old.value, latest.value), meta: latest.meta, baseValidFrom: since });
    return this.ok(request, 200, { value: latest.value, meta: latest.meta });
  }

  private async patchDiff(store: EntityStore, request: Routed & { method: 'patchDiff' }): Promise<WireResponse> {
    const latest = await store.latest();
    if (!latest) return errorResponse(request, 404, 'no such entity: create it with post');
    const base = request.headers?.ifUnmodifiedSince;
    if (base === undefined)
      return errorResponse(request, 428, 'headers.ifUnmodifiedSince: patchDiff requires the version the diff was made on', {
        value: latest.value,
        meta: latest.meta,
      });
    if (latest.meta.deleted) return errorResponse(request, 404, 'entity is deleted: patchUndelete brings it back', { meta: latest.meta });
    let baseSnapshot: Snapshot = latest;
    if (base !== latest.meta.validFrom) {
      const old = (await store.versions()).includes(base) ? await store.snapshot(base) : undefined;
      if (!old)
        return errorResponse(request, 409, `headers.ifUnmodifiedSince: ${base} is not a version of this entity`, {
          value: latest.value,
          meta: latest.meta,
        });
      const since = diffOf(old.value, latest.value);
      const overlap = overlappingPaths(request.body.diff, since);
      if (overlap.length > 0) {
        const fields = overlap.map((p) => p.join('.')).join(', ');
        return errorResponse(request, 412, `changed since ${base}: ${fields}`, { diff: since, meta: latest.meta, baseValidFrom: base });
      }
      baseSnapshot = old;
    }
    const value = applyDiff(latest.value, request.body.diff);
    const previousValues = diffOf(value, latest.value);
    if (Object.keys(previousValues).length === 0) {
      // Nothing changes (a retry of a patch already applied): answer with where the entity is, no new version.
      return this.ok(request, 200, { diff: diffOf(baseSnapshot.value, latest.value), meta: latest.meta, baseValidFrom: base });
    }
    const meta: Meta = { userID: request.from.id, validFrom: this.nextValidFrom(latest), validTo: END_OF_TIME, previousValues };
    if (request.body.impersonatorID) meta.impersonatorID = request.body.impersonatorID;
    const committed = await store.append({ value, meta });
    this.notify(store, {
      kind: 'update',
      entity: request.entity,
      diff: diffOf(latest.value, value),
      meta: committed.meta,
      baseValidFrom: latest.meta.validFrom,
    });
    return this.ok(request, 200, { diff: diffOf(baseSnapshot.value, value), meta: committed.meta, baseValidFrom: base });
  }

  private async setDeleted(
    store: EntityStore,
    request: Routed & { method: 'delete' | 'patchUndelete' },
    deleted: boolean,
  ): Promise<WireResponse> {
    const latest = await store.latest();
    if (!latest) return errorResponse(request, 404, 'no such entity');
    const base = request.headers?.ifUnmodifiedSince;
    if (base !== undefined && base !== latest.meta.validFrom) {
      return errorResponse(request, 412, `changed since ${base}`, { value: latest.value, meta: latest.meta });
    }
    if (Boolean(latest.meta.deleted) === deleted) {
      return errorResponse(request, deleted ? 404 : 400, deleted ? 'entity is already deleted' : 'entity is not deleted', {
        meta: latest.meta,
      });
    }
    const { deleted: _was, chunks: _chunks, ...rest } = latest.meta;
    const meta: Meta = {
      ...rest,
      userID: request.from.id,
      validFrom: this.nextValidFrom(latest),
      validTo: END_OF_TIME,
      previousValues: {},
    };
    if (deleted) meta.deleted = true;
    const committed = await store.append({ value: latest.value, meta });
    this.notify(store, {
      kind: 'update',
      entity: request.entity,
      diff: {},
      meta: committed.meta,
      baseValidFrom: latest.meta.validFrom,
    });
    return this.ok(request, 200, { diff: {}, meta: committed.meta, baseValidFrom: latest.meta.validFrom });
  }

  /** Now, or 1 ms after the latest version when the clock has not moved past it (versions must stay distinct). */
  private nextValidFrom(latest: Snapshot): string {
    const now = nowISO();
    if (now > latest.meta.validFrom) return now;
    return new Date(Date.parse(latest.meta.validFrom) + 1).toISOString();
  }

  /** Sends an update to every subscriber; those with no browser connected any more are dropped from the list. */
  private notify(store: EntityStore, update: Update): void {
    const delivery = (async () => {
      const subscribers = await store.subscribers();
      const results = await Promise.all(subscribers.map(async (personID) => [personID, await this.deliver(personID, update)] as const));
      const dead = results.filter(([, delivered]) => !delivered).map(([personID]) => personID);
      if (dead.length > 0) {
        // Through the request queue, so it cannot interleave with a get that re-subscribes.
        this.queue = this.queue.then(async () => {
          const now = await store.subscribers();
          await store.setSubscribers(now.filter((p) => !dead.includes(p)));
        });
        await this.queue;
      }
    })().catch(() => {
      // Delivery is best effort: a subscriber that missed an update catches up with get on its next connection.
    });
    this.ctx.waitUntil(delivery);
  }

  /** True when the person has at least one browser connected to take the update. */
  protected async deliver(personID: string, update: Update): Promise<boolean> {
    const stub = this.env.PERSON.get(this.env.PERSON.idFromName(personID));
    const response = await stub.fetch('https://person/downstream', { method: 'POST', body: encodeWire(update) as BodyInit });
    await response.arrayBuffer();
    return response.status === 200;
  }
}

/** What can be salvaged from a message that did not validate, so its error answer still names the request. */
export function requestFields(value: unknown): Partial<Pick<Request, 'requestID' | 'method' | 'entity'>> {
  if (value === null || typeof value !== 'object') return {};
  const v = value as Record<string, unknown>;
  const out: Partial<Pick<Request, 'requestID' | 'method' | 'entity'>> = {};
  if (typeof v.requestID === 'string' && v.requestID) out.requestID = v.requestID;
  return out;
}
