// The classic consumer protocol's metadata (ConsumerProtocolSubscription/Assignment, int16
// version first): codec round trips at every version, byte-exact re-encoding of what a Java
// client sent, the tenant prefix added and stripped, malformed bytes refused, and the JoinGroup,
// SyncGroup and DescribeGroups rules that apply it.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { Writer } from "../../src/protocol/wire.ts";
import {
  type Assignment,
  ConsumerProtocolError,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  MAX_METADATA_ITEMS,
  type Subscription,
} from "../../src/vcluster/consumer-protocol-codec.ts";
import { prefixAssignment, prefixSubscription, stripAssignment, stripSubscription } from "../../src/vcluster/consumer-protocol-names.ts";
import { describeGroupsRule, joinGroupRule, syncGroupRule } from "../../src/vcluster/consumer-protocol-rules.ts";
import type { RuleContext } from "../../src/vcluster/hand-rules.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;

const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// Captured from kafka-console-consumer (kafka-clients 4.4, group.protocol=classic,
// CooperativeStickyAssignor, client.rack=rack-a) through DescribeGroups on the real broker, after
// a second member joined: subscription v3 of capture.orders owning partition 0 at generation 2
// (userData: the assignor's generation), and the assignment v3 the Java leader sent it.
const JAVA_SUBSCRIPTION = hex(
  "000300000001000e636170747572652e6f7264657273000000040000000200000001000e636170747572652e6f726465727300000001000000000000000200067261636b2d61",
);
const JAVA_ASSIGNMENT = hex("000300000001000e636170747572652e6f72646572730000000100000000ffffffff");
// Its first join, with RangeAssignor: no userData (null), nothing owned, no generation yet.
const JAVA_FIRST_SUBSCRIPTION = hex("000300000001000e636170747572652e6f7264657273ffffffff00000000ffffffff00067261636b2d61");

const alice = new Tenant("vc-alice", "vc-alice.");

function versioned(version: number, body: Uint8Array): Uint8Array {
  const w = new Writer();
  w.int16(version);
  w.raw(body);
  return w.toBytes();
}

const topic = fc.string({ maxLength: 20 });
const bytesOrNull = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
const partitions = fc.array(fc.record({ topic, partitions: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 5 }) }), { maxLength: 4 });

/** A subscription holding only what `version` carries (later fields at their defaults). */
function subscriptionAt(version: number): fc.Arbitrary<Subscription> {
  return fc.record({
    topics: fc.array(topic, { maxLength: 5 }),
    userData: bytesOrNull,
    ownedPartitions: version >= 1 ? partitions : fc.constant([]),
    generationId: version >= 2 ? fc.integer() : fc.constant(-1),
    rackId: version >= 3 ? fc.option(fc.string({ maxLength: 10 }), { nil: null }) : fc.constant(null),
  });
}

const assignmentArb: fc.Arbitrary<Assignment> = fc.record({ assignedPartitions: partitions, userData: bytesOrNull });

describe("consumer protocol codec", () => {
  for (const version of [0, 1, 2, 3]) {
    test(`subscription v${version} round-trips, byte for byte`, () => {
      fc.assert(
        fc.property(subscriptionAt(version), (body) => {
          const bytes = encodeSubscription({ version, body });
          const back = decodeSubscription(bytes);
          expect(back.version).toBe(version);
          expect(back.body).toEqual(body);
          expect(toHex(encodeSubscription(back))).toBe(toHex(bytes));
        }),
        { numRuns: 100 },
      );
    });

    test(`assignment v${version} round-trips, byte for byte`, () => {
      fc.assert(
        fc.property(assignmentArb, (body) => {
          const bytes = encodeAssignment({ version, body });
          const back = decodeAssignment(bytes);
          expect(back.version).toBe(version);
          expect(back.body).toEqual(body);
          expect(toHex(encodeAssignment(back))).toBe(toHex(bytes));
        }),
        { numRuns: 100 },
      );
    });
  }

  test("a Java client's subscription and assignment decode to what it sent and re-encode byte-exact", () => {
    const s = decodeSubscription(JAVA_SUBSCRIPTION);
    expect(s.version).toBe(3);
    expect(s.body.topics).toEqual(["capture.orders"]);
    expect(toHex(s.body.userData!)).toBe("00000002");
    expect(s.body.ownedPartitions).toEqual([{ topic: "capture.orders", partitions: [0] }]);
    expect(s.body.generationId).toBe(2);
    expect(s.body.rackId).toBe("rack-a");
    expect(toHex(encodeSubscription(s))).toBe(toHex(JAVA_SUBSCRIPTION));

    const first = decodeSubscription(JAVA_FIRST_SUBSCRIPTION);
    expect(first.body.userData).toBeNull();
    expect(first.body.generationId).toBe(-1);
    expect(toHex(encodeSubscription(first))).toBe(toHex(JAVA_FIRST_SUBSCRIPTION));

    const a = decodeAssignment(JAVA_ASSIGNMENT);
    expect(a.body).toEqual({ assignedPartitions: [{ topic: "capture.orders", partitions: [0] }], userData: null });
    expect(toHex(encodeAssignment(a))).toBe(toHex(JAVA_ASSIGNMENT));
  });

  test("userData is kept as a view of the received bytes, not copied", () => {
    const s = decodeSubscription(JAVA_SUBSCRIPTION);
    expect(s.body.userData!.buffer).toBe(JAVA_SUBSCRIPTION.buffer);
  });

  test("a newer version is read with the newest known layout and written back as that version", () => {
    // v7 of the future: v3's fields, then something kgate cannot check for names.
    const v3 = encodeSubscription({ version: 3, body: decodeSubscription(JAVA_SUBSCRIPTION).body });
    const future = versioned(7, new Uint8Array([...v3.subarray(2), 0, 5, 0x61, 0x62, 0x63, 0x64, 0x65]));
    const s = decodeSubscription(future);
    expect(s.version).toBe(3);
    expect(s.body.topics).toEqual(["capture.orders"]);
    expect(toHex(encodeSubscription(s))).toBe(toHex(JAVA_SUBSCRIPTION));
  });

  test("malformed bytes are refused with a reason", () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ["empty", new Uint8Array(0), /0 bytes, no version/],
      ["one byte", new Uint8Array([0]), /1 bytes, no version/],
      ["negative version", hex("ffff00000000ffffffff"), /version -1/],
      ["truncated topic", JAVA_SUBSCRIPTION.subarray(0, 12), /truncated/],
      ["trailing bytes at a known version", new Uint8Array([...JAVA_SUBSCRIPTION, 0]), /1 bytes after the struct/],
      ["null topic name", hex("000000000001ffffffffffff"), /null string/],
      ["topic count beyond the bytes", hex("00007fffffff"), /exceeds/],
      ["v1 without owned partitions (v0 layout)", hex("000100000001000161ffffffff"), /truncated/],
    ];
    for (const [what, bytes, reason] of cases) {
      let error: unknown;
      try {
        decodeSubscription(bytes);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(ConsumerProtocolError);
      expect((error as Error).message, what).toMatch(reason);
    }
    expect(() => decodeAssignment(new Uint8Array([...JAVA_ASSIGNMENT, 1, 2]))).toThrow(/2 bytes after the struct/);
    // past the item ceiling: refused before the elements are read
    const many = new Uint8Array(6 + 2 * (MAX_METADATA_ITEMS + 1) + 4);
    new DataView(many.buffer).setInt32(2, MAX_METADATA_ITEMS + 1);
    expect(() => decodeSubscription(many)).toThrow(`more than ${MAX_METADATA_ITEMS} array elements`);
    expect(() => decodeAssignment(JAVA_ASSIGNMENT.subarray(0, 20))).toThrow(ConsumerProtocolError);
  });
});

describe("tenant names in consumer protocol metadata", () => {
  test("a subscription gets the prefix on its topics and owned partitions; userData and the rest stay", () => {
    const prefixed = decodeSubscription(prefixSubscription(JAVA_SUBSCRIPTION, alice));
    expect(prefixed.version).toBe(3);
    expect(prefixed.body.topics).toEqual(["vc-alice.capture.orders"]);
    expect(prefixed.body.ownedPartitions).toEqual([{ topic: "vc-alice.capture.orders", partitions: [0] }]);
    expect(toHex(prefixed.body.userData!)).toBe("00000002");
    expect(prefixed.body.generationId).toBe(2);
    expect(prefixed.body.rackId).toBe("rack-a");
    // and back: stripping undoes it byte for byte
    expect(toHex(stripSubscription(prefixSubscription(JAVA_SUBSCRIPTION, alice), alice))).toBe(toHex(JAVA_SUBSCRIPTION));
  });

  test("a subscription naming another tenant's backing topic is confined to the tenant's own prefix", () => {
    const crafted = encodeSubscription({
      version: 1,
      body: {
        topics: ["vc-bob.secret", "orders"],
        userData: null,
        ownedPartitions: [{ topic: "vc-bob.secret", partitions: [0, 1] }],
        generationId: -1,
        rackId: null,
      },
    });
    const s = decodeSubscription(prefixSubscription(crafted, alice));
    expect(s.body.topics).toEqual(["vc-alice.vc-bob.secret", "vc-alice.orders"]);
    expect(s.body.ownedPartitions.map((p) => p.topic)).toEqual(["vc-alice.vc-bob.secret"]);
  });

  test("stripping drops topics and owned partitions of other tenants", () => {
    const backing = encodeSubscription({
      version: 3,
      body: {
        topics: ["vc-alice.orders", "vc-bob.secret", "plain"],
        userData: new Uint8Array([9]),
        ownedPartitions: [{ topic: "vc-bob.secret", partitions: [0] }, { topic: "vc-alice.orders", partitions: [1] }],
        generationId: 4,
        rackId: null,
      },
    });
    const s = decodeSubscription(stripSubscription(backing, alice));
    expect(s.body.topics).toEqual(["orders"]);
    expect(s.body.ownedPartitions).toEqual([{ topic: "orders", partitions: [1] }]);
    expect([...s.body.userData!]).toEqual([9]);
  });

  test("an assignment gets the prefix, and stripping drops other tenants' topics", () => {
    const a = decodeAssignment(prefixAssignment(JAVA_ASSIGNMENT, alice));
    expect(a.body.assignedPartitions).toEqual([{ topic: "vc-alice.capture.orders", partitions: [0] }]);
    expect(toHex(stripAssignment(prefixAssignment(JAVA_ASSIGNMENT, alice), alice))).toBe(toHex(JAVA_ASSIGNMENT));
    const mixed = encodeAssignment({
      version: 0,
      body: { assignedPartitions: [{ topic: "vc-bob.secret", partitions: [0] }, { topic: "vc-alice.orders", partitions: [2, 3] }], userData: null },
    });
    expect(decodeAssignment(stripAssignment(mixed, alice)).body.assignedPartitions).toEqual([{ topic: "orders", partitions: [2, 3] }]);
  });
});

function context(tenant: Tenant, version: number): RuleContext {
  return { tenant, version, responseFixups: [] };
}

function joinRequest(protocolType: string, metadata: Uint8Array[]): Msg {
  return {
    groupId: "vc-alice.g",
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 10000,
    memberId: "",
    groupInstanceId: null,
    protocolType,
    protocols: metadata.map((m, i) => ({ name: `p${i}`, metadata: m })),
    reason: null,
  };
}

function joinResponse(memberId: string, generationId: number, members: Msg[] = []): Msg {
  return { throttleTimeMs: 0, errorCode: 0, generationId, protocolType: null, protocolName: "p0", leader: memberId, skipAssignment: false, memberId, members };
}

function syncRequest(memberId: string, generationId: number, protocolType: string | null, assignment: Uint8Array): Msg {
  return { groupId: "vc-alice.g", generationId, memberId, groupInstanceId: null, protocolType, protocolName: null, assignments: [{ memberId, assignment }] };
}

describe("JoinGroup, SyncGroup and DescribeGroups rules", () => {
  test("JoinGroup: every protocol's subscription gets the prefix; the leader's member list is stripped", async () => {
    const tenant = new Tenant("vc-alice", "vc-alice.");
    const ctx = context(tenant, 9);
    const body = joinRequest("consumer", [JAVA_SUBSCRIPTION, JAVA_FIRST_SUBSCRIPTION]);
    expect(await joinGroupRule.request!(body, ctx)).toBeUndefined();
    for (const p of body.protocols) expect(decodeSubscription(p.metadata).body.topics).toEqual(["vc-alice.capture.orders"]);

    const res = joinResponse("m1", 3, [{ memberId: "m1", groupInstanceId: null, metadata: body.protocols[0].metadata }]);
    for (const fix of ctx.responseFixups) fix(res);
    expect(toHex(res.members[0].metadata)).toBe(toHex(JAVA_SUBSCRIPTION));
  });

  test("JoinGroup: undecodable consumer metadata is refused with INCONSISTENT_GROUP_PROTOCOL, not forwarded", async () => {
    const ctx = context(new Tenant("vc-alice", "vc-alice."), 9);
    const body = joinRequest("consumer", [JAVA_SUBSCRIPTION, new Uint8Array([0, 0, 0, 0, 0, 1, 0xff, 0xff])]);
    const refusal = await joinGroupRule.request!(body, ctx);
    expect(refusal).toEqual({
      errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      message: expect.stringMatching(/JoinGroup protocol p1: malformed consumer protocol subscription/),
    });
  });

  test("JoinGroup: other protocol types stay opaque", async () => {
    const ctx = context(new Tenant("vc-alice", "vc-alice."), 9);
    const connect = new Uint8Array([1, 2, 3]);
    const body = joinRequest("connect", [connect]);
    expect(await joinGroupRule.request!(body, ctx)).toBeUndefined();
    expect(body.protocols[0].metadata).toBe(connect);
  });

  test("JoinGroup response: a member whose metadata cannot be decoded is left out of the leader's list", async () => {
    const ctx = context(new Tenant("vc-alice", "vc-alice."), 5);
    await joinGroupRule.request!(joinRequest("consumer", [JAVA_SUBSCRIPTION]), ctx);
    const res = joinResponse("m1", 1, [
      { memberId: "m1", groupInstanceId: null, metadata: prefixSubscription(JAVA_SUBSCRIPTION, alice) },
      { memberId: "bad", groupInstanceId: null, metadata: new Uint8Array([0, 3, 1]) },
    ]);
    for (const fix of ctx.responseFixups) fix(res);
    expect(res.members.map((m: Msg) => m.memberId)).toEqual(["m1"]);
  });

  test("SyncGroup v5+: the stated protocol type decides; consumer assignments get the prefix and come back stripped", async () => {
    const ctx = context(new Tenant("vc-alice", "vc-alice."), 5);
    const body = syncRequest("m1", 1, "consumer", JAVA_ASSIGNMENT);
    expect(await syncGroupRule.request!(body, ctx)).toBeUndefined();
    expect(decodeAssignment(body.assignments[0]!.assignment).body.assignedPartitions[0]!.topic).toBe("vc-alice.capture.orders");
    const res: Msg = { throttleTimeMs: 0, errorCode: 0, protocolType: "consumer", protocolName: "range", assignment: body.assignments[0].assignment };
    for (const fix of ctx.responseFixups) fix(res);
    expect(toHex(res.assignment)).toBe(toHex(JAVA_ASSIGNMENT));
  });

  test("SyncGroup: undecodable assignments are refused; empty ones name nothing and pass", async () => {
    const tenant = new Tenant("vc-alice", "vc-alice.");
    const bad = await syncGroupRule.request!(syncRequest("m1", 1, "consumer", new Uint8Array([0, 0, 0])), context(tenant, 5));
    expect(bad?.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const empty = syncRequest("m1", 1, "consumer", new Uint8Array(0));
    expect(await syncGroupRule.request!(empty, context(tenant, 5))).toBeUndefined();
    expect(empty.assignments[0].assignment.length).toBe(0);
  });

  test("SyncGroup before v5 takes the protocol type from the member's own successful join, and fails closed without one", async () => {
    const tenant = new Tenant("vc-alice", "vc-alice.");
    // no join seen for this member and generation: refused, the client rejoins
    expect((await syncGroupRule.request!(syncRequest("m1", 1, null, JAVA_ASSIGNMENT), context(tenant, 3)))?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

    const join = context(tenant, 5);
    await joinGroupRule.request!(joinRequest("consumer", [JAVA_SUBSCRIPTION]), join);
    for (const fix of join.responseFixups) fix(joinResponse("m1", 1));
    const body = syncRequest("m1", 1, null, JAVA_ASSIGNMENT);
    expect(await syncGroupRule.request!(body, context(tenant, 3))).toBeUndefined();
    expect(decodeAssignment(body.assignments[0]!.assignment).body.assignedPartitions[0]!.topic).toBe("vc-alice.capture.orders");

    // a failed join of another type does not relabel the generation the member holds
    const failed = context(tenant, 5);
    await joinGroupRule.request!(joinRequest("connect", [new Uint8Array([1])]), failed);
    for (const fix of failed.responseFixups) fix({ ...joinResponse("m1", 1), errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
    const again = syncRequest("m1", 1, null, JAVA_ASSIGNMENT);
    await syncGroupRule.request!(again, context(tenant, 3));
    expect(decodeAssignment(again.assignments[0]!.assignment).body.assignedPartitions[0]!.topic).toBe("vc-alice.capture.orders");
    // another generation is unknown again
    expect((await syncGroupRule.request!(syncRequest("m1", 2, null, JAVA_ASSIGNMENT), context(tenant, 3)))?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test("SyncGroup for a connect group stays opaque", async () => {
    const tenant = new Tenant("vc-alice", "vc-alice.");
    const opaque = new Uint8Array([0, 1, 2, 3]);
    const body = syncRequest("m1", 1, "connect", opaque);
    expect(await syncGroupRule.request!(body, context(tenant, 5))).toBeUndefined();
    expect(body.assignments[0].assignment).toBe(opaque);
  });

  test("DescribeGroups: consumer groups' member metadata and assignments are stripped; undecodable ones withheld", () => {
    const ctx = context(new Tenant("vc-alice", "vc-alice."), 5);
    const body: Msg = {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          errorMessage: null,
          groupId: "vc-alice.g",
          groupState: "Stable",
          protocolType: "consumer",
          protocolData: "range",
          members: [
            {
              memberId: "m1",
              groupInstanceId: null,
              clientId: "c",
              clientHost: "/h",
              memberMetadata: prefixSubscription(JAVA_SUBSCRIPTION, alice),
              memberAssignment: prefixAssignment(JAVA_ASSIGNMENT, alice),
            },
            {
              memberId: "m2",
              groupInstanceId: null,
              clientId: "c",
              clientHost: "/h",
              memberMetadata: new Uint8Array([0, 3]),
              memberAssignment: new Uint8Array(0),
            },
          ],
          authorizedOperations: 0,
        },
        {
          errorCode: 0,
          errorMessage: null,
          groupId: "vc-alice.c",
          groupState: "Stable",
          protocolType: "connect",
          protocolData: "default",
          members: [{
            memberId: "m3",
            groupInstanceId: null,
            clientId: "c",
            clientHost: "/h",
            memberMetadata: new Uint8Array([7]),
            memberAssignment: new Uint8Array([8]),
          }],
          authorizedOperations: 0,
        },
      ],
    };
    describeGroupsRule.response!(body, ctx);
    const [m1, m2] = body.groups[0].members;
    expect(toHex(m1.memberMetadata)).toBe(toHex(JAVA_SUBSCRIPTION));
    expect(toHex(m1.memberAssignment)).toBe(toHex(JAVA_ASSIGNMENT));
    expect(m2.memberMetadata.length).toBe(0);
    expect(m2.memberAssignment.length).toBe(0);
    expect([...body.groups[1].members[0].memberMetadata]).toEqual([7]);
  });
});
