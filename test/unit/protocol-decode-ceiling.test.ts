// A request costs time and memory linear in its size, with a fixed ceiling on decoded items
// (invariant 4): an array count the frame cannot hold never allocates, and a frame packed with
// millions of tiny items is refused at its count instead of being decoded.
import { describe, expect, test } from "bun:test";
import { decodeRequest, encodeRequest, MAX_DECODED_ITEMS_PER_REQUEST } from "../../src/protocol/codec.ts";
import { concatBytes, DecodeLimitError, ProtocolError, readArray, Reader } from "../../src/protocol/wire.ts";
import { defaultDescribeGroupsRequest } from "../../src/protocol/messages/describe-groups-request.ts";

const DESCRIBE_GROUPS = 15;

/** DescribeGroups v5 (flexible) with a group-id array of `count` entries, `present` of them "a". */
function describeGroupsFrame(count: number, present: number): Uint8Array {
  const head = concatBytes(encodeRequest({ apiKey: DESCRIBE_GROUPS, apiVersion: 5, correlationId: 1, clientId: "t" }, defaultDescribeGroupsRequest()));
  // The encoded default body is: groups (compact array, 0 entries = 0x01), bool, tags (0x00).
  const headerEnd = head.length - 3;
  const varint: number[] = [];
  for (let v = count + 1;; v = Math.floor(v / 128)) {
    if (v < 0x80) {
      varint.push(v);
      break;
    }
    varint.push((v & 0x7f) | 0x80);
  }
  const items = new Uint8Array(present * 2);
  for (let i = 0; i < present; i++) {
    items[i * 2] = 2; // compact string of length 1
    items[i * 2 + 1] = 0x61;
  }
  const frame = concatBytes([head.subarray(0, headerEnd), new Uint8Array(varint), items, new Uint8Array([0, 0])]);
  new DataView(frame.buffer).setInt32(0, frame.length - 4);
  return frame;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("decode ceiling", () => {
  test("a request under the ceiling decodes", () => {
    const { body } = decodeRequest<{ groups: string[] }>(describeGroupsFrame(1000, 1000));
    expect(body.groups.length).toBe(1000);
    expect(body.groups[999]).toBe("a");
  });

  test("an array count of 2^31-1 in a tiny frame fails at the count", () => {
    const r = new Reader(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
    const e = thrown(() => readArray(r, false, (r) => r.int32()));
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as Error).message).toMatch(/array length 2147483647/);
    // The count was rejected before a single element was read.
    expect(r.pos).toBe(4);
  });

  test("a compact count near 2^35 fails at the count", () => {
    const r = new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0]));
    expect(thrown(() => readArray(r, true, (r) => r.int8()))).toBeInstanceOf(ProtocolError);
    expect(r.pos).toBe(5);
  });

  test("millions of tiny items are refused at the count, before any is decoded", () => {
    const n = 2_000_000;
    const frame = describeGroupsFrame(n, n);
    const started = performance.now();
    const e = thrown(() => decodeRequest(frame));
    const ms = performance.now() - started;
    expect(e).toBeInstanceOf(DecodeLimitError);
    expect((e as Error).message).toMatch(new RegExp(`${MAX_DECODED_ITEMS_PER_REQUEST}`));
    console.log(`refused ${n} items in ${ms.toFixed(2)} ms`);
  });

  test("the ceiling is per request: many arrays together cannot exceed it", () => {
    // Each tagged field counts as an item too; so does each element of every array.
    const r = new Reader(new Uint8Array(64), 0, 64, 10);
    r.countItems(6);
    expect(() => r.countItems(5)).toThrow(DecodeLimitError);
  });

  test("tagged-field sections count their entries", () => {
    // 3 unknown tags of size 0, with a budget of 2.
    const r = new Reader(new Uint8Array([3, 0, 0, 1, 0, 2, 0]), 0, 7, 2);
    expect(() => r.taggedFields(() => false)).toThrow(DecodeLimitError);
  });
});
