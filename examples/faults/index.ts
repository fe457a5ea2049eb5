/** Fault-injecting proxies on 127.0.0.1 for the engines' reliability tests (issue 11: faults in the engines). */

export {
  type HttpChaosOptions,
  type HttpExchange,
  type HttpFaultReport,
  type HttpFaults,
  type HttpMatch,
  HttpRelay,
  type HttpStats,
} from './http-relay.ts';
export { type Prng, prng, seedFrom } from './prng.ts';
export { type FaultProxy, startFaultProxy } from './proxy.ts';
export {
  type ChunkInfo,
  type CutAt,
  type CutReport,
  type Direction,
  startTcpProxy,
  type TcpChaosOptions,
  type TcpProxy,
  type TcpProxyOptions,
} from './tcp-proxy.ts';
export { waitUntil } from './wait.ts';
export { cutInsideDataFrame, cutInsideText, type FrameHead, frameHead, framePayload, withoutExtensionOffer } from './ws-frames.ts';
export {
  type ChaosOptions,
  type WsDirection,
  type WsFaultReport,
  type WsFaults,
  type WsMatch,
  type WsMessage,
  WsRelay,
  type WsStats,
} from './ws-relay.ts';
