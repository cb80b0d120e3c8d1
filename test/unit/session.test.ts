// Session over in-memory connections (no sockets, no broker): responses reach the client in
// request order with locally answered requests slotted in, acks=0 requests get no slot, a
// close-after-answer waits for what is owed, large responses stream through (cut-through) unless
// they are rewritten, and a half-closed client still gets its responses.
import { describe, expect, test } from "bun:test";
import { Session } from "../../src/gateway/session.ts";
import type { RequestHead, RequestOutcome, ResponseRewrite, SessionPolicy } from "../../src/gateway/session-policy.ts";
import { encodeRequest } from "../../src/protocol/codec.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { duplexPair, FrameCollector } from "../support/memory-duplex.ts";

type Decide = (head: RequestHead, frame: Uint8Array) => RequestOutcome;

function requestFrame(correlationId: number): Uint8Array {
  return concatBytes(encodeRequest({ apiKey: ApiKey.Metadata, apiVersion: 1, correlationId, clientId: "t" }, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  }));
}

/** A response frame: size, correlation id, then `payloadBytes` bytes of `fill`. */
function responseFrame(correlationId: number, payloadBytes = 4, fill = 7): Uint8Array {
  const frame = new Uint8Array(8 + payloadBytes).fill(fill);
  const view = new DataView(frame.buffer);
  view.setInt32(0, 4 + payloadBytes);
  view.setInt32(4, correlationId);
  return frame;
}

const forward = (frame: Uint8Array, rewrite?: ResponseRewrite): RequestOutcome => ({ kind: "forward", frame, expectResponse: true, rewrite });

function setup(decide: Decide) {
  const seen: number[] = [];
  const policy: SessionPolicy = {
    view: "test",
    awaitingAuthentication: false,
    onRequest(frame, head) {
      seen.push(head.correlationId);
      return decide(head, frame);
    },
  };
  const [app, kgateClientSide] = duplexPair(41000);
  const [kgateUpstreamSide, broker] = duplexPair(42000);
  let upstreamOpens = 0;
  const session = new Session(kgateClientSide, policy, {
    maxFrameBytes: 64 * 1024 * 1024,
    maxQueuedResponseBytes: 16 * 1024 * 1024,
    maxInFlightRequests: 100,
    upstreamConnectTimeoutMs: 1000,
    openUpstream: () => {
      upstreamOpens++;
      return Promise.resolve(kgateUpstreamSide);
    },
  });
  const client = { writer: app.writable.getWriter(), received: new FrameCollector(app.readable) };
  const backing = { writer: broker.writable.getWriter(), received: new FrameCollector(broker.readable) };
  return { session, seen, client, backing, upstreamOpens: () => upstreamOpens };
}

describe("Session", () => {
  test("a local answer waits behind an earlier forwarded request; responses arrive in request order", async () => {
    const { client, backing, seen } = setup((head, frame) => head.correlationId === 2 ? { kind: "answer", frame: responseFrame(2) } : forward(frame));
    await client.writer.write(concatBytes([requestFrame(1), requestFrame(2), requestFrame(3)]));
    await backing.received.until(() => backing.received.frames.length === 2, "two forwarded requests");
    expect(backing.received.requestCorrelationIds()).toEqual([1, 3]);
    expect(seen).toEqual([1, 2, 3]);
    // Request 2 is answered, but request 1's response has not come: nothing may reach the client.
    expect(client.received.frames.length).toBe(0);
    await backing.writer.write(responseFrame(1));
    await client.received.until(() => client.received.frames.length === 2, "responses 1 and 2");
    await backing.writer.write(responseFrame(3));
    await client.received.until(() => client.received.frames.length === 3, "response 3");
    expect(client.received.correlationIds()).toEqual([1, 2, 3]);
  });

  test("acks=0: the request is forwarded without a slot; the next response is matched to the next request", async () => {
    const { client, backing, session } = setup((head, frame) => head.correlationId === 1 ? { kind: "forward", frame, expectResponse: false } : forward(frame));
    await client.writer.write(concatBytes([requestFrame(1), requestFrame(2)]));
    await backing.received.until(() => backing.received.frames.length === 2, "both requests forwarded");
    expect(session.inFlight).toBe(1);
    await backing.writer.write(responseFrame(2));
    await client.received.until(() => client.received.frames.length === 1, "response 2");
    expect(client.received.correlationIds()).toEqual([2]);
    expect(session.inFlight).toBe(0);
  });

  test("close-after-answer: what is owed is delivered first, nothing after it is handled", async () => {
    const { client, backing, session, seen } = setup((head, frame) =>
      head.correlationId === 2 ? { kind: "answer", frame: responseFrame(2), closeAfter: "login refused" } : forward(frame)
    );
    await client.writer.write(concatBytes([requestFrame(1), requestFrame(2), requestFrame(3)]));
    await backing.received.until(() => backing.received.frames.length === 1, "request 1 forwarded");
    await backing.writer.write(responseFrame(1));
    await client.received.until(() => client.received.ended, "the connection to close");
    expect(client.received.correlationIds()).toEqual([1, 2]);
    expect(seen).toEqual([1, 2]);
    expect(backing.received.requestCorrelationIds()).toEqual([1]);
    await session.done;
    expect(session.reason).toBe("login refused");
    expect(session.failed).toBe(true);
  });

  test("cut-through: a large response that needs no rewrite streams to the client before it is complete", async () => {
    const { client, backing } = setup((_head, frame) => forward(frame));
    await client.writer.write(requestFrame(1));
    await backing.received.until(() => backing.received.frames.length === 1, "request forwarded");
    const big = responseFrame(1, 200_000, 5);
    await backing.writer.write(big.subarray(0, 100_000));
    // Not one complete frame yet, yet the client already has bytes of it.
    await client.received.until(() => client.received.bytes >= 100_000, "the first half streamed");
    expect(client.received.frames.length).toBe(0);
    await backing.writer.write(big.subarray(100_000));
    await client.received.until(() => client.received.frames.length === 1, "the whole response");
    expect(client.received.frames[0]).toEqual(big);
  });

  test("a large response that is rewritten is assembled first, and the client gets the rewritten frame", async () => {
    const rewritten = responseFrame(1, 10, 9);
    const { client, backing } = setup((_head, frame) => forward(frame, () => rewritten));
    await client.writer.write(requestFrame(1));
    await backing.received.until(() => backing.received.frames.length === 1, "request forwarded");
    const big = responseFrame(1, 200_000, 5);
    await backing.writer.write(big.subarray(0, 100_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.received.bytes).toBe(0);
    await backing.writer.write(big.subarray(100_000));
    await client.received.until(() => client.received.frames.length === 1, "the rewritten response");
    expect(client.received.frames[0]).toEqual(rewritten);
  });

  test("half-close: a client that stops writing still gets every response it is owed, then the session ends cleanly", async () => {
    const { client, backing, session } = setup((head, frame) => head.correlationId === 2 ? { kind: "answer", frame: responseFrame(2) } : forward(frame));
    await client.writer.write(concatBytes([requestFrame(1), requestFrame(2)]));
    await client.writer.close();
    await backing.received.until(() => backing.received.frames.length === 1, "request 1 forwarded");
    expect(session.isClosed).toBe(false);
    await backing.writer.write(responseFrame(1));
    await client.received.until(() => client.received.ended, "the session to end");
    expect(client.received.correlationIds()).toEqual([1, 2]);
    await session.done;
    expect(session.reason).toBe("client closed");
    expect(session.failed).toBe(false);
  });

  test("a client that closes inside a frame is closed with an error", async () => {
    const { client, session, upstreamOpens } = setup((_head, frame) => forward(frame));
    await client.writer.write(requestFrame(1).subarray(0, 10));
    await client.writer.close();
    await session.done;
    expect(session.reason).toBe("client closed inside a frame (10 bytes pending)");
    expect(session.failed).toBe(true);
    expect(upstreamOpens()).toBe(0);
  });

  test("only locally answered requests: no backing connection is opened", async () => {
    const { client, session, upstreamOpens } = setup((head) => ({ kind: "answer", frame: responseFrame(head.correlationId) }));
    await client.writer.write(concatBytes([requestFrame(1), requestFrame(2)]));
    await client.received.until(() => client.received.frames.length === 2, "both answers");
    expect(session.upstreamOpened).toBe(false);
    expect(upstreamOpens()).toBe(0);
  });
});
