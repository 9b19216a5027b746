import { BSON, type Document } from 'bson';

/** Opcodes of the MongoDB wire protocol this server reads or writes. */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

/** OP_MSG flag bits: a CRC-32C trails the message; the sender expects no reply (w:0 writes). */
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
/** Bits 0-15 are "required": a receiver must reject a message with one it does not know. */
const REQUIRED_FLAGS = 0xffff;
const KNOWN_REQUIRED_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME;

const HEADER_BYTES = 16;
/** The largest message accepted, as announced by `hello` (maxMessageSizeBytes). */
export const MAX_MESSAGE_BYTES = 48_000_000;

/** Thrown on bytes that are not a well-formed message; the connection is closed. */
export class WireError extends Error {}

/** A command as received: from OP_MSG (sections merged into one body) or from a legacy OP_QUERY on `<db>.$cmd`. */
export type Request =
  | { kind: 'msg'; requestId: number; moreToCome: boolean; body: Document }
  | { kind: 'query'; requestId: number; collection: string; query: Document };

/**
 * Splits a TCP byte stream into whole messages by their int32 length prefix: a message may arrive
 * over many chunks and one chunk may hold many messages. Chunks are joined only once a message is
 * complete, so a large message costs one copy.
 */
export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds received bytes; returns the messages they complete, in order. Throws WireError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const length = this.joined().readInt32LE(0);
      if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) throw new WireError(`invalid message length ${length}`);
      if (this.buffered < length) break;
      const all = this.joined();
      frames.push(all.subarray(0, length));
      const rest = all.subarray(length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return frames;
  }

  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }
}

/** Reads one BSON document at `offset`; returns it with its byte length. */
function readDocument(frame: Buffer, offset: number, end: number): { doc: Document; size: number } {
  if (offset + 5 > end) throw new WireError('truncated BSON document');
  const size = frame.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new WireError('BSON document overruns its message');
  return { doc: BSON.deserialize(frame.subarray(offset, offset + size)), size };
}

function readCString(frame: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = frame.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new WireError('unterminated C string');
  return { value: frame.toString('utf8', offset, zero), next: zero + 1 };
}

/**
 * OP_MSG: flagBits, then sections: kind 0 is the command body, kind 1 a document sequence
 * (`identifier` + documents) that becomes `body[identifier]`. A trailing checksum is skipped unchecked.
 */
function parseOpMsg(frame: Buffer, requestId: number): Request {
  const flags = frame.readUInt32LE(HEADER_BYTES);
  if ((flags & REQUIRED_FLAGS & ~KNOWN_REQUIRED_FLAGS) !== 0) throw new WireError(`unsupported OP_MSG flags ${flags}`);
  const end = flags & CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  let offset = HEADER_BYTES + 4;
  while (offset < end) {
    const kind = frame[offset++];
    if (kind === 0) {
      if (body) throw new WireError('OP_MSG with two body sections');
      const { doc, size } = readDocument(frame, offset, end);
      body = doc;
      offset += size;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new WireError('truncated document sequence');
      const sectionEnd = offset + frame.readInt32LE(offset);
      if (sectionEnd > end || sectionEnd < offset + 5) throw new WireError('document sequence overruns its message');
      const identifier = readCString(frame, offset + 4, sectionEnd);
      const docs: Document[] = [];
      for (let at = identifier.next; at < sectionEnd;) {
        const { doc, size } = readDocument(frame, at, sectionEnd);
        docs.push(doc);
        at += size;
      }
      sequences.push([identifier.value, docs]);
      offset = sectionEnd;
    } else {
      throw new WireError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!body) throw new WireError('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  return { kind: 'msg', requestId, moreToCome: (flags & MORE_TO_COME) !== 0, body };
}

/** OP_QUERY: flags, fullCollectionName, numberToSkip, numberToReturn, query (possibly wrapped in `$query`). */
function parseOpQuery(frame: Buffer, requestId: number): Request {
  const collection = readCString(frame, HEADER_BYTES + 4, frame.length);
  const { doc } = readDocument(frame, collection.next + 8, frame.length);
  const wrapped: unknown = doc.$query;
  const query = wrapped !== null && typeof wrapped === 'object' && !Array.isArray(wrapped) ? (wrapped as Document) : doc;
  return { kind: 'query', requestId, collection: collection.value, query };
}

/** Decodes one framed message. Throws WireError for opcodes other than OP_MSG and OP_QUERY. */
export function parseMessage(frame: Buffer): Request {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(frame, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(frame, requestId);
  throw new WireError(`unsupported opcode ${opCode}`);
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

/** Replies keep `undefined` fields out, as MongoDB has no such value. */
const serialize = (doc: Document): Buffer => Buffer.from(BSON.serialize(doc, { ignoreUndefined: true }));

/** OP_MSG reply: flags 0, one body section. */
export function opMsgReply(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const length = HEADER_BYTES + 4 + 1 + body.length;
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(length, responseTo, OP_MSG), prefix, body], length);
}

/** OP_REPLY to a legacy OP_QUERY: responseFlags 0, cursorId 0, startingFrom 0, one document. */
export function opReply(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const length = HEADER_BYTES + 20 + body.length;
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(length, responseTo, OP_REPLY), fields, body], length);
}
