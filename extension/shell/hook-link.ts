/**
 * The relay's end of the hook's MessageChannel (the page side is inspector/src/hook/bridge.ts, which says why the
 * bridge leaves the window). Independent of the extension API, so it is tested in Node.
 *
 * The relay offers a port on the window when it starts (that also asks a hook already there for its hello) and
 * whenever a hook says hello on the window (a hook without a port: installed after the offer went out, or one whose
 * relay went away). An offered port counts as the hook's once a valid hook message (its hello) arrives on it; the
 * other offers are then withdrawn, and window hellos ask for no more offers while that port is open. The page can
 * make the relay offer (by forging hellos) but cannot see the offers (the hook swallows them), and offers are capped,
 * so a flood of forged hellos costs a few channels, never the port the hook took. Events are still validated by the
 * relay (fromPage) whichever way they come.
 */
import {
  BRIDGE_VERSION,
  HOOK_PORT,
  HookPortClose,
  HookToRelay,
  parseMessage,
  type RelayPortClose,
  type RelayPortOffer,
  type RelayToHook,
  SOURCE,
} from '@syncscope/inspector/bridge';

export interface HookLinkOptions {
  /** Posts the offer on the page's window, transferring `port` with it. */
  offer(message: RelayPortOffer, port: MessagePort): void;
  /** A message from the hook's port, as the hook sent it: still to be validated, as anything from the page. */
  receive(data: unknown): void;
  /** Unanswered offers at most; the relay stops offering until one is answered. Default 8. */
  maxPending?: number;
  channel?: () => MessageChannel;
}

export class HookLink {
  /** Offered ports (the relay's ends) that nobody has spoken on yet. */
  private readonly pending = new Set<MessagePort>();
  private port: MessagePort | undefined;
  private closed = false;
  private readonly maxPending: number;
  private readonly channel: () => MessageChannel;

  constructor(private readonly options: HookLinkOptions) {
    this.maxPending = options.maxPending ?? 8;
    this.channel = options.channel ?? (() => new MessageChannel());
  }

  /** Whether the hook's port is open: commands go there, not to the window. */
  get connected(): boolean {
    return this.port !== undefined;
  }

  /** Offers the hook a port of a new channel, unless it has one or too many offers are unanswered. */
  offer(): void {
    if (this.closed || this.port || this.pending.size >= this.maxPending) return;
    const { port1, port2 } = this.channel();
    this.pending.add(port1);
    port1.onmessage = (event: MessageEvent) => this.onPortMessage(port1, event.data);
    const offer: RelayPortOffer = { source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.offer };
    this.options.offer(offer, port2);
  }

  /** Sends a command on the hook's port; false when there is none yet (the caller posts it on the window then). */
  command(message: RelayToHook): boolean {
    if (!this.port) return false;
    this.port.postMessage(message);
    return true;
  }

  /** The relay is going away (its extension context is gone): the hook is told, so it stops capturing for nobody. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const bye: RelayPortClose = { source: SOURCE.relay, v: BRIDGE_VERSION, type: HOOK_PORT.close };
    this.port?.postMessage(bye);
    this.port?.close();
    this.port = undefined;
    this.withdraw();
  }

  private onPortMessage(port: MessagePort, data: unknown): void {
    if (this.pending.has(port)) {
      // The hook says hello first on a port it took; nothing else makes a port its own.
      if (!parseMessage(HookToRelay, data).ok) return;
      this.pending.delete(port);
      this.withdraw();
      this.port = port;
    }
    if (port !== this.port) return;
    // The tag first: a failed zod parse costs an error object, and this runs for every batch, on the page's thread.
    if ((data as { type?: unknown } | null)?.type === HOOK_PORT.close && parseMessage(HookPortClose, data).ok) {
      // The hook was uninstalled: a hook installed after it says hello on the window and gets a new offer.
      port.close();
      this.port = undefined;
      return;
    }
    this.options.receive(data);
  }

  private withdraw(): void {
    for (const port of this.pending) port.close();
    this.pending.clear();
  }
}
