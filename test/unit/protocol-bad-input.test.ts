// Malformed input gives a typed ProtocolError — never a crash of another kind, never a hang.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeRequest, decodeResponse, encodeRequest, UnsupportedApiError } from "../../src/protocol/codec.ts";
import { FrameSizeError, FrameSplitter, frameStream } from "../../src/protocol/frames.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { concatBytes, ProtocolError } from "../../src/protocol/wire.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";

function metadataFrame(version = 12): Uint8Array {
  const body = { ...defaultMetadataRequest(), topics: [{ topicId: "0".repeat(32), name: "orders" }] };
  return concatBytes(encodeRequest({ apiKey: 3, apiVersion: version, correlationId: 7, clientId: "t" }, body));
}

function expectProtocolError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return;
  }
  throw new Error("expected a ProtocolError");
}

describe("bad input", () => {
  test("every truncation of a valid request is a ProtocolError", () => {
    const frame = metadataFrame();
    expect(decodeRequest(frame).header.correlationId).toBe(7);
    for (let n = 0; n < frame.length; n++) {
      const cut = frame.slice(0, n);
      expectProtocolError(() => decodeRequest(cut));
    }
  });

  test("trailing garbage after a valid body is a ProtocolError", () => {
    expectProtocolError(() => decodeRequest(concatBytes([metadataFrame(), new Uint8Array([1, 2, 3])])));
  });

  test("unknown api keys and versions are UnsupportedApiError", () => {
    const frame = metadataFrame();
    const unknownKey = frame.slice();
    new DataView(unknownKey.buffer).setInt16(4, 999);
    expect(() => decodeRequest(unknownKey)).toThrow(UnsupportedApiError);
    const unknownVersion = frame.slice();
    new DataView(unknownVersion.buffer).setInt16(6, apiSpec(3)!.maxVersion + 1);
    expect(() => decodeRequest(unknownVersion)).toThrow(UnsupportedApiError);
    expect(() => decodeResponse(frame, -1, 0)).toThrow(UnsupportedApiError);
  });

  test("random bytes after a real header decode or fail with ProtocolError only", () => {
    fc.assert(
      fc.property(fc.constantFrom(...[0, 1, 3, 8, 9, 10, 11, 19, 32, 68]), fc.uint8Array({ maxLength: 200 }), (apiKey, junk) => {
        const spec = apiSpec(apiKey)!;
        const head = new Uint8Array(12);
        const view = new DataView(head.buffer);
        view.setInt16(4, apiKey);
        view.setInt16(6, spec.maxVersion);
        const frame = concatBytes([head.subarray(0, 8), junk]);
        try {
          decodeRequest(frame);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
        try {
          decodeResponse(frame, apiKey, spec.maxVersion);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("frame splitter refuses negative and oversized sizes", () => {
    const s = new FrameSplitter(1024);
    expect(() => s.push(new Uint8Array([0xff, 0xff, 0xff, 0xfe]), () => {})).toThrow(FrameSizeError);
    const t = new FrameSplitter(1024);
    expect(() => t.push(new Uint8Array([0, 0, 4, 1]), () => {})).toThrow(FrameSizeError);
  });
});

describe("frame splitter", () => {
  test("reassembles frames from any chunking, byte-exact", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1 }),
        (payloads, cuts) => {
          const frames = payloads.map((p) => {
            const f = new Uint8Array(4 + p.length);
            new DataView(f.buffer).setInt32(0, p.length);
            f.set(p, 4);
            return f;
          });
          const stream = concatBytes(frames);
          const out: Uint8Array[] = [];
          const s = new FrameSplitter(1024);
          let off = 0;
          for (let i = 0; off < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            s.push(stream.subarray(off, off + n), (f) => out.push(f.slice()));
            off += n;
          }
          expect(out).toEqual(frames);
          expect(s.bufferedBytes).toBe(0);
        },
      ),
    );
  });
});

describe("frameStream", () => {
  test("turns a byte stream into frames and errors on a stream that ends inside a frame", async () => {
    const frame = new Uint8Array([0, 0, 0, 2, 7, 8]);
    const bytes = concatBytes([frame, frame, new Uint8Array([0, 0, 0, 5, 1])]);
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 3));
        c.enqueue(bytes.subarray(3));
        c.close();
      },
    });
    const reader = source.pipeThrough(frameStream(1024)).getReader();
    expect((await reader.read()).value).toEqual(frame);
    expect((await reader.read()).value).toEqual(frame);
    await expect(reader.read()).rejects.toThrow(/ended inside a frame/);
  });
});
