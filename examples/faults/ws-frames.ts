/**
 * Just enough of RFC 6455 framing to find a WebSocket frame at the start of a TCP chunk and cut inside it: the
 * header (opcode, payload length, mask) and the payload, unmasked, to match on what a client sent.
 */
export interface FrameHead {
  fin: boolean;
  /** RSV1: the payload is compressed (permessage-deflate), so it cannot be read on its own. */
  compressed: boolean;
  opcode: number;
  headerLength: number;
  payloadLength: number;
  mask: Buffer | undefined;
}

const OPCODES = new Set([0x0, 0x1, 0x2, 0x8, 0x9, 0xa]);

/** The header of the frame the chunk starts with, or undefined when the chunk does not start with one. */
export function frameHead(chunk: Buffer): FrameHead | undefined {
  if (chunk.length < 2) return undefined;
  const first = chunk[0] as number;
  const second = chunk[1] as number;
  if ((first & 0x30) !== 0) return undefined; // RSV2/RSV3: no extension uses them
  const opcode = first & 0x0f;
  if (!OPCODES.has(opcode)) return undefined;
  let offset = 2;
  let payloadLength = second & 0x7f;
  if (payloadLength === 126) {
    if (chunk.length < 4) return undefined;
    payloadLength = chunk.readUInt16BE(2);
    offset = 4;
  } else if (payloadLength === 127) {
    if (chunk.length < 10) return undefined;
    payloadLength = Number(chunk.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const mask = masked ? chunk.subarray(offset, offset + 4) : undefined;
  if (masked && mask?.length !== 4) return undefined;
  return {
    fin: (first & 0x80) !== 0,
    compressed: (first & 0x40) !== 0,
    opcode,
    headerLength: offset + (masked ? 4 : 0),
    payloadLength,
    mask,
  };
}

/** The part of the first frame's payload the chunk holds, unmasked. */
export function framePayload(chunk: Buffer, head: FrameHead): Buffer {
  const payload = Buffer.from(chunk.subarray(head.headerLength, head.headerLength + head.payloadLength));
  if (head.mask) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (head.mask[i % 4] as number);
  return payload;
}

/**
 * Where to cut a chunk so that a data frame (text or binary) is torn: the chunk's frames are walked from its
 * start, and the first data frame that `accept` takes (given its unmasked payload, still compressed when
 * `head.compressed`) is cut `fraction` of the way through the payload bytes the chunk holds, its header sent and
 * at least one payload byte never. Undefined when the chunk does not start on a frame boundary or no frame in it
 * is accepted.
 */
export function cutInsideDataFrame(
  chunk: Buffer,
  fraction: number,
  accept: (payload: Buffer, head: FrameHead) => boolean = () => true,
): number | undefined {
  let offset = 0;
  for (let frames = 0; frames < 1000 && offset < chunk.length; frames++) {
    const rest = chunk.subarray(offset);
    const head = frameHead(rest);
    if (!head) return undefined;
    const held = Math.min(head.payloadLength, rest.length - head.headerLength);
    const isData = head.opcode === 0x1 || head.opcode === 0x2;
    if (isData && head.payloadLength >= 2 && held >= 1 && accept(framePayload(rest, head), head)) {
      const inside = Math.max(0, Math.min(head.payloadLength - 1, Math.floor(held * fraction)));
      return offset + Math.min(head.headerLength + inside, rest.length - 1);
    }
    offset += head.headerLength + head.payloadLength;
  }
  return undefined;
}

/** Where to cut a chunk that holds `marker` (an HTTP body, a plain-text frame): in the middle of the marker. */
export function cutInsideText(chunk: Buffer, marker: string): number | undefined {
  const at = chunk.indexOf(marker);
  if (at < 0) return undefined;
  return at + Math.max(1, Math.floor(Buffer.byteLength(marker) / 2));
}

/**
 * The upgrade request without its Sec-WebSocket-Extensions header, so the server cannot negotiate
 * permessage-deflate and every frame's payload can be read by a cut rule. Other chunks are returned unchanged.
 */
export function withoutExtensionOffer(chunk: Buffer): Buffer {
  const text = chunk.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (!/^GET [^\r\n]* HTTP\/1\.1\r\n/.test(text) || end < 0 || !/\r\nupgrade:\s*websocket/i.test(text.slice(0, end))) return chunk;
  const head = text
    .slice(0, end)
    .split('\r\n')
    .filter((line) => !/^sec-websocket-extensions:/i.test(line))
    .join('\r\n');
  return Buffer.from(head + text.slice(end), 'latin1');
}
