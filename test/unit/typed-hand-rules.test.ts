// The hand rules are written against the generated protocol types (`typedRule`): a misspelt
// field, or a field of another API, is a compile error. `npm test -- typecheck` compiles this
// file; each `@ts-expect-error` below fails the type check if its line ever compiles. The
// runtime tests pin what the typed config rules do for the three config APIs.
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import { ConfigResourceType } from "../../src/protocol/messages/constants.ts";
import { HAND_RULES, type RuleContext, typedRule } from "../../src/vcluster/hand-rules.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

type Obj = Record<string, unknown>;

const tenant = new Tenant("vc-typed", "vc-typed.");

describe("typed hand rules", () => {
  test("a misspelt field is a compile error, in requests, responses and fix-ups", () => {
    const rule = typedRule(ApiKey.CreateTopics, {
      request(body, ctx) {
        for (const t of body.topics) {
          // @ts-expect-error a misspelt request field (numPartitions)
          t.numPartition = 1;
          // @ts-expect-error a field of another API (CreatePartitions' count)
          t.count = 1;
        }
        // @ts-expect-error a misspelt top-level field (validateOnly)
        if (body.validateOnl) return;
        ctx.responseFixups.push((res) => {
          res.topics.push({
            name: "t",
            topicId: "",
            errorCode: 0,
            // @ts-expect-error a misspelt field of the response (errorMessage)
            errorMesage: null,
            numPartitions: -1,
            replicationFactor: -1,
            configs: null,
          });
        });
      },
      response(body) {
        // @ts-expect-error CreateTopics responses have `topics`, not `results`
        body.results = [];
      },
    });
    expect(rule.request).toBeFunction();
  });

  test("a field left out of an added entry is a compile error", () => {
    typedRule(ApiKey.CreatePartitions, {
      request(_body, ctx) {
        ctx.responseFixups.push((res) => {
          // @ts-expect-error errorMessage is required (nullable, not optional)
          res.results.push({ name: "t", errorCode: 0 });
        });
      },
    });
  });

  test("a field the generated type marks nullable must be checked before use", () => {
    typedRule(ApiKey.StreamsGroupHeartbeat, {
      request(body) {
        // @ts-expect-error topology is null in a heartbeat that does not declare it
        body.topology.subtopologies.length;
      },
    });
  });
});

function context(version: number): RuleContext {
  return { tenant, version, responseFixups: [] };
}

const resources = (configs: (r: number) => Obj) => [
  { resourceType: ConfigResourceType.TOPIC, resourceName: "orders", ...configs(ConfigResourceType.TOPIC) },
  { resourceType: ConfigResourceType.BROKER, resourceName: "1", ...configs(ConfigResourceType.BROKER) },
  { resourceType: ConfigResourceType.GROUP, resourceName: "billing", ...configs(ConfigResourceType.GROUP) },
];

describe("the typed config rules", () => {
  const cases = [
    { api: "DescribeConfigs", key: ApiKey.DescribeConfigs, results: "results", configs: () => ({ configurationKeys: null }), refusedExtra: { configs: [] } },
    { api: "AlterConfigs", key: ApiKey.AlterConfigs, results: "responses", configs: () => ({ configs: [] }), refusedExtra: {} },
    { api: "IncrementalAlterConfigs", key: ApiKey.IncrementalAlterConfigs, results: "responses", configs: () => ({ configs: [] }), refusedExtra: {} },
  ] as const;
  for (const c of cases) {
    test(`${c.api}: tenant resources are prefixed, cluster resources answered locally, names stripped back`, async () => {
      const body: Obj = { resources: resources(c.configs) };
      const ctx = context(1);
      const rule = HAND_RULES.get(c.key)!;
      expect(await rule.request!(body, ctx)).toBeUndefined();
      expect((body.resources as Obj[]).map((r) => r.resourceName)).toEqual(["vc-typed.orders", "vc-typed.billing"]);
      const response: Obj = {
        [c.results]: (body.resources as Obj[]).map((r) => ({ errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
      };
      rule.response!(response, ctx);
      for (const fix of ctx.responseFixups) fix(response);
      expect(response[c.results]).toEqual([
        { errorCode: 0, errorMessage: null, resourceType: ConfigResourceType.TOPIC, resourceName: "orders" },
        { errorCode: 0, errorMessage: null, resourceType: ConfigResourceType.GROUP, resourceName: "billing" },
        {
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "cluster-level resources are not available inside a virtual cluster",
          resourceType: ConfigResourceType.BROKER,
          resourceName: "1",
          ...c.refusedExtra,
        },
      ]);
    });
  }
});
