// The session's throttle muting (KIP-219): while the policy's throttledUntil lies ahead, the
// session reads nothing more from the client, answers already owed still go out, and reading
// resumes by itself once the time has passed (no client action needed).
import { describe, expect, test } from "bun:test";
import { Session } from "../../src/gateway/session.ts";
import type { RequestHead, RequestOutcome, SessionPolicy } from "../../src/gateway/session-policy.ts";
import type { Duplex } from "../../src/runtime/types.ts";

function frame(correlationId: number): Uint8Array {
  // size, api key 3 (Metadata), version 0, correlation id, client id null.
  const b = new Uint8Array(4 + 10);
  const v = new DataView(b.buffer);
  v.setInt32(0, 10);
  v.setInt16(4, 3);
  v.setInt16(6, 0);
  v.setInt32(8, correlationId);
  v.setInt16(12, -1);
  return b;
}

function pipePair() {
  const toSession = new TransformStream<Uint8Array, Uint8Array>();
  const fromSession = new TransformStream<Uint8Array, Uint8Array>();
  const duplex: Duplex = {
    readable: toSession.readable,
    writable: fromSession.writable,
    remoteAddress: "127.0.0.1",
    remotePort: 1,
    localPort: 2,
    close: () => {},
  };
  return { duplex, client: toSession.writable.getWriter(), responses: fromSession.readable.getReader() };
}

describe("session throttle muting", () => {
  test("a throttled connection is not read until the throttle time has passed, then resumes by itself", async () => {
    const seen: Array<{ id: number; at: number }> = [];
    let throttledUntil = 0;
    const policy: SessionPolicy = {
      view: "vc",
      awaitingAuthentication: false,
      throttledUntil: () => throttledUntil,
      onRequest(_f: Uint8Array, head: RequestHead): RequestOutcome {
        seen.push({ id: head.correlationId, at: Date.now() });
        // The first request is over its quota: 300 ms of throttle, its answer goes out at once.
        if (head.correlationId === 1) throttledUntil = Date.now() + 300;
        return { kind: "answer", frame: new Uint8Array([0, 0, 0, 4, 0, 0, 0, head.correlationId]) };
      },
    };
    const { duplex, client, responses } = pipePair();
    const session = new Session(duplex, policy, {
      maxFrameBytes: 1 << 20,
      maxQueuedResponseBytes: 1 << 20,
      maxInFlightRequests: 100,
      upstreamConnectTimeoutMs: 1000,
      openUpstream: () => Promise.reject(new Error("no upstream")),
    });
    const started = Date.now();
    await client.write(frame(1));
    const first = await responses.read();
    expect(first.value![7]).toBe(1);
    expect(Date.now() - started).toBeLessThan(250); // answered at once, not after the throttle
    void client.write(frame(2));
    const second = await responses.read();
    expect(second.value![7]).toBe(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(280);
    session.close("done");
  });
});
