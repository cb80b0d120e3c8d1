// kgate's own topics (`_kgate*`, a custom state topic): the byte search that keeps passthrough
// cheap, the guard that swaps them out of requests and filters them out of responses, and the
// data-plane checks that no tenant owns or can name them.
import { describe, expect, test } from "bun:test";
import { InternalTopicsGuard } from "../../src/gateway/internal-topics-guard.ts";
import { containsBytes, InternalTopics } from "../../src/gateway/internal-topics.ts";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { concatBytes } from "../support/bytes.ts";

type Obj = Record<string, unknown>;

const STATE_ID = "0123456789abcdef0123456789abcdef";
const OTHER_ID = "fedcba9876543210fedcba9876543210";
const ZERO_ID = "0".repeat(32);
const utf8 = new TextEncoder();

const request = (apiKey: number, apiVersion: number, body: unknown) =>
  concatBytes(encodeRequest({ apiKey, apiVersion, correlationId: 7, clientId: "t" }, body));
const response = (apiKey: number, apiVersion: number, body: unknown) => concatBytes(encodeResponse(apiKey, apiVersion, { correlationId: 7 }, body));
const head = (apiKey: number, apiVersion: number) => ({ apiKey, apiVersion, correlationId: 7 });

function metadataRequest(topics: Array<{ name: string | null; topicId?: string }> | null) {
  return {
    topics: topics?.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_ID })) ?? null,
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

function metadataTopic(name: string | null, topicId: string, errorCode = 0) {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 };
}

function metadataResponse(topics: Obj[]) {
  return { throttleTimeMs: 0, brokers: [], clusterId: "c", controllerId: 1, topics, clusterAuthorizedOperations: -2147483648 };
}

function setup(extra: string[] = []) {
  const topics = new InternalTopics(extra);
  topics.learnId(STATE_ID);
  return { topics, guard: new InternalTopicsGuard(topics) };
}

/** The guarded request when it is forwarded (not a close). */
function forwarded(out: ReturnType<InternalTopicsGuard["request"]>) {
  if ("close" in out) throw new Error(`closed: ${out.close}`);
  return out;
}

async function through(rewrite: ((f: Uint8Array) => unknown) | undefined, frame: Uint8Array): Promise<Uint8Array> {
  expect(rewrite).toBeDefined();
  const out = await rewrite!(frame);
  return out instanceof Uint8Array ? out : concatBytes(out as Uint8Array[]);
}

describe("byte search", () => {
  test("finds a needle anywhere, including at the very end, and only whole", () => {
    const hay = utf8.encode("xx__kgat_kgate");
    expect(containsBytes(hay, utf8.encode("_kgate"))).toBe(true);
    expect(containsBytes(hay, utf8.encode("_kgatex"))).toBe(false);
    expect(containsBytes(utf8.encode("_kgat"), utf8.encode("_kgate"))).toBe(false);
    expect(containsBytes(new Uint8Array(1000).fill(0x5f), utf8.encode("_kgate"))).toBe(false);
  });

  test("a frame mentions an internal topic by name or by a known id; others are not decoded", () => {
    const { topics } = setup(["kgate-state"]);
    expect(topics.mayMention(request(3, 12, metadataRequest([{ name: "orders" }])))).toBe(false);
    expect(topics.mayMention(request(3, 12, metadataRequest([{ name: "_kgate_state" }])))).toBe(true);
    expect(topics.mayMention(request(3, 12, metadataRequest([{ name: "kgate-state" }])))).toBe(true);
    expect(topics.mayMention(request(3, 12, metadataRequest([{ name: null, topicId: STATE_ID }])))).toBe(true);
    expect(topics.mayMention(request(3, 12, metadataRequest([{ name: null, topicId: OTHER_ID }])))).toBe(false);
  });
});

describe("which names are internal, and which prefixes reach them", () => {
  test("_kgate* and the custom state topic; a tenant prefix that could name one is caught", () => {
    const topics = new InternalTopics(["kgate-state"]);
    expect(topics.isInternalName("_kgate_state")).toBe(true);
    expect(topics.isInternalName("_kgate")).toBe(true);
    expect(topics.isInternalName("kgate-state")).toBe(true);
    expect(topics.isInternalName("kgate-state2")).toBe(false);
    expect(topics.isInternalName("__consumer_offsets")).toBe(false);
    for (const p of ["", "_", "_kg", "_kgate", "_kgate.", "kgate-", "k"]) expect(topics.prefixReaches(p)).toBe(true);
    for (const p of ["vc-alice.", "_x", "kgate-state."]) expect(topics.prefixReaches(p)).toBe(false);
  });

  test("no tenant owns kgate's topics, whatever its prefix", () => {
    expect(new Tenant("any", "_").owns("_kgate_state")).toBe(false);
    expect(new Tenant("any", "_").owns("_other")).toBe(true);
    expect(new Tenant("vc-a", "vc-a.").owns("vc-a.orders")).toBe(true);
  });
});

describe("passthrough guard", () => {
  test("a request without internal topics is forwarded as the very same bytes", () => {
    const { guard } = setup();
    const frame = request(3, 12, metadataRequest([{ name: "orders" }]));
    const out = forwarded(guard.request(frame, head(3, 12)));
    expect(out.frame).toBe(frame);
    expect(out.swaps).toBeNull();
  });

  test("names and ids are swapped for ones the broker cannot have, other topics kept; the answer is TOPIC_AUTHORIZATION_FAILED", async () => {
    const { guard } = setup();
    const frame = request(3, 12, metadataRequest([{ name: "_kgate_state" }, { name: "orders" }, { name: null, topicId: STATE_ID }]));
    const out = forwarded(guard.request(frame, head(3, 12)));
    const sent = decodeRequest<Obj>(concatBytes(out.frame as Uint8Array[])).body;
    const sentTopics = sent.topics as Obj[];
    expect(sentTopics[0]!.name).toMatch(/^!/); // '!' is illegal in a topic name: never auto-created
    expect(sentTopics[1]!.name).toBe("orders");
    expect(sentTopics[2]!.topicId).not.toBe(STATE_ID);
    // What the broker answers for such names and ids:
    const broker = response(
      3,
      12,
      metadataResponse([
        metadataTopic(sentTopics[0]!.name as string, ZERO_ID, ErrorCode.INVALID_TOPIC_EXCEPTION),
        metadataTopic("orders", OTHER_ID),
        metadataTopic(null, sentTopics[2]!.topicId as string, ErrorCode.UNKNOWN_TOPIC_ID),
      ]),
    );
    const back = decodeResponse<Obj>(await through(guard.responseRewrite(head(3, 12), out.swaps, undefined), broker), 3, 12).body;
    const topics = back.topics as Obj[];
    expect(topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([
      ["_kgate_state", ZERO_ID, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
      ["orders", OTHER_ID, 0],
      [null, STATE_ID, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
    ]);
  });

  test("Produce: every partition of the swapped topic is refused", async () => {
    const { guard } = setup();
    const body = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: "_kgate_state", topicId: ZERO_ID, partitionData: [{ index: 0, records: null }] }],
    };
    const out = forwarded(guard.request(request(0, 9, body), head(0, 9)));
    const sentName = ((decodeRequest<Obj>(concatBytes(out.frame as Uint8Array[])).body.topicData as Obj[])[0]!).name as string;
    const broker = response(0, 9, {
      responses: [{
        name: sentName,
        topicId: ZERO_ID,
        partitionResponses: [{ index: 0, errorCode: 3, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null }],
      }],
      throttleTimeMs: 0,
    });
    const back = decodeResponse<Obj>(await through(guard.responseRewrite(head(0, 9), out.swaps, undefined), broker), 0, 9).body;
    const r = (back.responses as Obj[])[0]!;
    expect(r.name).toBe("_kgate_state");
    expect((r.partitionResponses as Obj[])[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  test("topic config resources are swapped too", () => {
    const { guard } = setup();
    const body = {
      resources: [{ resourceType: 2, resourceName: "_kgate_state", configs: [] }, { resourceType: 4, resourceName: "1", configs: [] }],
      validateOnly: false,
    };
    const out = forwarded(guard.request(request(44, 1, body), head(44, 1)));
    const sent = (decodeRequest<Obj>(concatBytes(out.frame as Uint8Array[])).body.resources as Obj[]).map((r) => r.resourceName);
    expect(sent[0]).toMatch(/^!/);
    expect(sent[1]).toBe("1");
  });

  test("responses listing everything lose their internal entries and teach kgate the ids", async () => {
    const topics = new InternalTopics();
    const guard = new InternalTopicsGuard(topics);
    const NEW_ID = "11111111111111111111111111111111";
    const broker = response(3, 12, metadataResponse([metadataTopic("_kgate_other", NEW_ID), metadataTopic("orders", OTHER_ID)]));
    const back = decodeResponse<Obj>(await through(guard.responseRewrite(head(3, 12), null, undefined), broker), 3, 12).body;
    expect((back.topics as Obj[]).map((t) => t.name)).toEqual(["orders"]);
    expect(topics.isInternalId(NEW_ID)).toBe(true);
    // A response without internal topics goes on as received.
    const plain = response(3, 12, metadataResponse([metadataTopic("orders", OTHER_ID)]));
    expect(await guard.responseRewrite(head(3, 12), null, undefined)!(plain)).toBe(plain);
  });

  test("a frame that may name an internal topic but cannot be decoded closes the connection", () => {
    const { guard } = setup();
    const frame = request(3, 12, metadataRequest([{ name: "_kgate_state" }]));
    new DataView(frame.buffer).setInt16(6, 99); // api version 99: unknown to the codec
    const out = guard.request(frame, head(3, 99));
    expect("close" in out && out.close).toContain("cannot be checked");
  });

  test("a KIP-848 regex that matches the state topic gets no assignment of it (filtered by its id)", async () => {
    const { guard } = setup();
    const broker = response(68, 0, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      memberId: "m",
      memberEpoch: 2,
      heartbeatIntervalMs: 5000,
      assignment: { topicPartitions: [{ topicId: STATE_ID, partitions: [0] }, { topicId: OTHER_ID, partitions: [0, 1] }] },
    });
    const back = decodeResponse<Obj>(await through(guard.responseRewrite(head(68, 0), null, undefined), broker), 68, 0).body;
    expect(((back.assignment as Obj).topicPartitions as Obj[]).map((t) => t.topicId)).toEqual([OTHER_ID]);
  });

  test("Produce and Fetch responses are not searched unless their request was guarded", () => {
    const { guard } = setup();
    expect(guard.responseRewrite(head(0, 9), null, undefined)).toBeUndefined();
    expect(guard.responseRewrite(head(1, 12), null, undefined)).toBeUndefined();
  });
});

describe("passthrough guard: ACLs of kgate's topics", () => {
  const acl = (resourceName: string, resourcePatternType: number, resourceType = 2) => ({
    resourceType,
    resourceName,
    resourcePatternType,
    principal: "User:x",
    host: "*",
    operation: 3,
    permissionType: 3,
  });

  test("CreateAcls: grants on an internal topic, a prefix reaching one or the topic wildcard are refused in place", async () => {
    const { guard } = setup();
    const body = { creations: [acl("_kgate_state", 3), acl("orders", 3), acl("_kg", 4), acl("*", 3), acl("1", 3, 4)] };
    const out = forwarded(guard.request(request(30, 3, body), head(30, 3)));
    const sent = decodeRequest<Obj>(concatBytes(out.frame as Uint8Array[])).body.creations as Obj[];
    expect(sent.map((c) => c.resourceName)).toEqual(["orders", "1"]);
    const broker = response(30, 3, { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }, { errorCode: 0, errorMessage: null }] });
    const back = decodeResponse<Obj>(await through(guard.responseRewrite(head(30, 3), out.swaps, undefined), broker), 30, 3).body;
    expect((back.results as Obj[]).map((r) => r.errorCode)).toEqual([31, 0, 31, 31, 0]);
  });

  test("DeleteAcls: a filter that could match an internal topic's ACLs (null name, MATCH, internal name) is refused", () => {
    const { guard } = setup();
    const filter = (resourceNameFilter: string | null, patternTypeFilter: number, resourceTypeFilter = 2) => ({
      resourceTypeFilter,
      resourceNameFilter,
      patternTypeFilter,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    const body = { filters: [filter(null, 1), filter("orders", 3), filter("orders", 2), filter("_kgate_state", 3), filter(null, 1, 4)] };
    const out = forwarded(guard.request(request(31, 3, body), head(31, 3)));
    const sent = decodeRequest<Obj>(concatBytes(out.frame as Uint8Array[])).body.filters as Obj[];
    expect(sent.map((f) => [f.resourceNameFilter, f.resourceTypeFilter])).toEqual([["orders", 2], [null, 4]]);
    expect(out.swaps?.aclRefusedAt).toEqual([0, 2, 3]);
  });

  test("DescribeAcls: bindings of internal topics are not listed, even by a prefix that does not spell them", async () => {
    const { guard } = setup();
    const resource = (resourceName: string, patternType: number) => ({ resourceType: 2, resourceName, patternType, acls: [] });
    const broker = response(29, 3, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [resource("_kgate_state", 3), resource("_k", 4), resource("orders", 3), resource("*", 3)],
    });
    const back = decodeResponse<Obj>(await through(guard.responseRewrite(head(29, 3), null, undefined), broker), 29, 3).body;
    expect((back.resources as Obj[]).map((r) => r.resourceName)).toEqual(["orders", "*"]);
  });
});
