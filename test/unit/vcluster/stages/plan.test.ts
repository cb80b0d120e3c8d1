// The rewrite plan per (API, version): what each stage may skip, decided once from the
// generated entity metadata.
import { describe, expect, test } from "bun:test";
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { rewritePlan } from "../../../../src/vcluster/stages/plan.ts";

describe("rewrite plan", () => {
  test("Fetch v15 request: topics by id only, nothing to prefix; v12 still names topics", () => {
    const v15 = rewritePlan(ApiKey.Fetch, 15);
    expect(v15.request.hasNames).toBe(false);
    expect(v15.request.hasTopicIds).toBe(true);
    expect(v15.request.hasReplicaFields).toBe(true);
    expect(v15.fetchCutThrough).toBe(true);
    expect(v15.response.hasNames).toBe(false);
    expect(v15.response.idNamePairs).toEqual([]);
    const v12 = rewritePlan(ApiKey.Fetch, 12);
    expect(v12.request.hasNames).toBe(true);
    expect(v12.request.hasTopicIds).toBe(false);
    expect(v12.fetchCutThrough).toBe(false);
  });

  test("Fetch v16+ responses carry broker endpoints: never cut through", () => {
    expect(rewritePlan(ApiKey.Fetch, 16).fetchCutThrough).toBe(false);
    expect(rewritePlan(ApiKey.Fetch, 16).response.hasBrokerEndpoints).toBe(true);
    expect(rewritePlan(ApiKey.Fetch, 15).response.hasBrokerEndpoints).toBe(false);
  });

  test("Metadata v12 response: topic names, topic ids, broker endpoints, and the id-name pair", () => {
    const { response, request } = rewritePlan(ApiKey.Metadata, 12);
    expect(response.hasTopicNames).toBe(true);
    expect(response.hasTopicIds).toBe(true);
    expect(response.hasBrokerEndpoints).toBe(true);
    expect(response.hasGroupNames).toBe(false);
    expect(response.idNamePairs).toEqual([{ structPath: ["topics"], idProp: "topicId", nameProp: "name" }]);
    expect(request.hasNames).toBe(true);
    expect(request.hasTopicIds).toBe(true);
  });

  test("versions before topic ids have no topic-id work", () => {
    expect(rewritePlan(ApiKey.Metadata, 9).response.hasTopicIds).toBe(false);
    expect(rewritePlan(ApiKey.Produce, 9).response.hasTopicIds).toBe(false);
    expect(rewritePlan(ApiKey.Produce, 9).request.hasTopicIds).toBe(false);
  });

  test("only the fields present at the version are in the plan", () => {
    const plan = rewritePlan(ApiKey.Fetch, 15);
    for (const f of [...plan.request.entities, ...plan.response.entities]) {
      expect(15).toBeGreaterThanOrEqual(f.versions[0]);
      expect(15).toBeLessThanOrEqual(f.versions[1]);
    }
    expect(plan.request.entities.some((f) => f.kind === "topicName")).toBe(false);
  });

  test("hand rules and replica fields come with the plan; it is built once", () => {
    expect(typeof rewritePlan(ApiKey.FindCoordinator, 4).handRule?.request).toBe("function");
    expect(rewritePlan(ApiKey.Produce, 9).handRule).toBeUndefined();
    expect(rewritePlan(ApiKey.OffsetForLeaderEpoch, 2).request.hasReplicaFields).toBe(false);
    expect(rewritePlan(ApiKey.OffsetForLeaderEpoch, 3).request.hasReplicaFields).toBe(true);
    expect(rewritePlan(ApiKey.ListGroups, 5).response.hasGroupNames).toBe(true);
    expect(rewritePlan(ApiKey.Metadata, 12)).toBe(rewritePlan(ApiKey.Metadata, 12));
  });
});

describe("responses that need no rewrite", () => {
  test("Heartbeat, EndTxn, AddOffsetsToTxn carry nothing a response stage acts on", () => {
    expect(rewritePlan(ApiKey.Heartbeat, 4).response.needsRewrite).toBe(false);
    expect(rewritePlan(ApiKey.EndTxn, 5).response.needsRewrite).toBe(false);
    expect(rewritePlan(ApiKey.AddOffsetsToTxn, 4).response.needsRewrite).toBe(false);
  });

  test("names, ids, endpoints, messages, backing facts or a response rule each make a rewrite", () => {
    expect(rewritePlan(ApiKey.Metadata, 12).response.needsRewrite).toBe(true); // names, ids, endpoints
    expect(rewritePlan(ApiKey.Produce, 9).response.needsRewrite).toBe(true); // names, messages
    expect(rewritePlan(ApiKey.Fetch, 15).response.needsRewrite).toBe(true); // ids (the session decides)
    expect(rewritePlan(ApiKey.FindCoordinator, 4).response.needsRewrite).toBe(true); // the hand rule
    expect(rewritePlan(ApiKey.DescribeLogDirs, 1).response.needsRewrite).toBe(true); // log-dir paths
    expect(rewritePlan(ApiKey.DeleteGroups, 2).response.needsRewrite).toBe(true); // group ids
  });
});
