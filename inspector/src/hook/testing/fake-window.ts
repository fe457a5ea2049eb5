/**
 * A window for Node tests of the hook's bridge: an EventTarget with the parts installHook looks for, recording what
 * is posted on it, and delivering window messages the way a browser would (source, ports, one event seen by every
 * listener, propagation that a listener can stop). Ports are Node's own MessagePorts.
 */
export class FakeWindow extends EventTarget {
  readonly window = this;
  readonly document = {};
  readonly location = { href: 'http://app.test/page', origin: 'http://app.test' };
  readonly MessagePort = globalThis.MessagePort;
  readonly EventTarget = globalThis.EventTarget;
  /** Everything posted on this window (by the hook), in order. */
  readonly posted: unknown[] = [];
  /** When set, what is posted is also delivered, as a browser would (a relay listening on the window). */
  echo = false;

  postMessage(data: unknown, _origin?: string, transfer: MessagePort[] = []): void {
    this.posted.push(data);
    if (this.echo) setTimeout(() => this.deliver(data, { ports: transfer }), 0);
  }

  /** Dispatches a window `message` now; `source` is this window unless said otherwise (a child frame's, say). */
  deliver(data: unknown, { source = this as unknown, ports = [] as MessagePort[] } = {}): Event {
    const event = new Event('message');
    Object.assign(event, { data, source, ports });
    this.dispatchEvent(event);
    return event;
  }
}

/** Lets Node deliver MessagePort messages and timers queued so far. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));
