// The isolation suite, config resources and ACLs: cluster-level configs are refused, bob's topic and group configs are
// not alice's, and ACLs are kept per vcluster.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { describe, expect, test } from "bun:test";
import { adminCall } from "../support/kgate-process.ts";
import {
  ALICE,
  ALICE_PREFIX,
  API,
  asAlice,
  backing,
  BOB,
  bob,
  BOB_GROUP_SESSION_MS,
  BOB_PREFIX,
  BOB_RETENTION,
  cover,
  isolationSuite,
  KAFKA4_GROUPS,
  kgate,
  metadataBody,
  RESOURCE_BROKER,
  RESOURCE_BROKER_LOGGER,
  RESOURCE_GROUP,
  RESOURCE_TOPIC,
  v,
} from "../support/isolation/fixture.ts";

isolationSuite("configs-acls", () => {
  describe("configs: cluster-level resources and bob's topic and group configs", () => {
    test("cluster-level config resources are refused per resource with CLUSTER_AUTHORIZATION_FAILED", async () => {
      const described = await asAlice(API.DescribeConfigs, v(API.DescribeConfigs), {
        resources: [
          { resourceType: RESOURCE_BROKER, resourceName: "0", configurationKeys: null },
          { resourceType: RESOURCE_BROKER_LOGGER, resourceName: "0", configurationKeys: null },
          { resourceType: RESOURCE_BROKER, resourceName: "", configurationKeys: null },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(described.results.map((r) => r.errorCode)).toEqual([31, 31, 31]);
      expect(described.results.every((r) => r.configs.length === 0)).toBe(true);
      const altered = await asAlice(API.AlterConfigs, v(API.AlterConfigs), {
        resources: [{ resourceType: RESOURCE_BROKER, resourceName: "0", configs: [{ name: "log.retention.ms", value: "1" }] }],
        validateOnly: false,
      });
      expect(altered.responses.map((r) => r.errorCode)).toEqual([31]);
      const incremental = await asAlice(API.IncrementalAlterConfigs, v(API.IncrementalAlterConfigs), {
        resources: [
          { resourceType: RESOURCE_BROKER_LOGGER, resourceName: "0", configs: [{ name: "kafka", configOperation: 0, value: "DEBUG" }] },
          { resourceType: RESOURCE_BROKER, resourceName: "", configs: [{ name: "log.retention.ms", configOperation: 0, value: "1" }] },
        ],
        validateOnly: false,
      });
      expect(incremental.responses.map((r) => r.errorCode)).toEqual([31, 31]);
    });

    test("DescribeConfigs / AlterConfigs / IncrementalAlterConfigs: bob's topic is unknown, bob's group config is not alice's", async () => {
      const described = await asAlice(API.DescribeConfigs, v(API.DescribeConfigs), {
        resources: [
          { resourceType: RESOURCE_TOPIC, resourceName: "secret", configurationKeys: null },
          { resourceType: RESOURCE_TOPIC, resourceName: "__consumer_offsets", configurationKeys: null },
          { resourceType: RESOURCE_TOPIC, resourceName: "orders", configurationKeys: ["retention.ms"] },
        ],
        includeSynonyms: true,
        includeDocumentation: false,
      });
      expect(described.results.map((r) => [r.resourceName, r.errorCode])).toEqual([["secret", 3], ["__consumer_offsets", 3], ["orders", 0]]);
      // a group resource named like bob's group is alice's own group: defaults, not bob's value
      if (KAFKA4_GROUPS) {
        const group = await asAlice(API.DescribeConfigs, v(API.DescribeConfigs), {
          resources: [{ resourceType: RESOURCE_GROUP, resourceName: "bob-group", configurationKeys: ["consumer.session.timeout.ms"] }],
          includeSynonyms: true,
          includeDocumentation: false,
        });
        expect(group.results[0]!.errorCode).toBe(0);
        expect(group.results[0]!.resourceName).toBe("bob-group");
        expect(group.results[0]!.configs[0]!.value).not.toBe(BOB_GROUP_SESSION_MS);
      }
      cover(API.DescribeConfigs);

      const altered = await asAlice(API.AlterConfigs, v(API.AlterConfigs), {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: "secret", configs: [{ name: "retention.ms", value: "1000" }] }],
        validateOnly: false,
      });
      expect(altered.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([["secret", 3]]);
      cover(API.AlterConfigs);

      const incremental = await asAlice(API.IncrementalAlterConfigs, v(API.IncrementalAlterConfigs), {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: "secret", configs: [{ name: "retention.ms", configOperation: 0, value: "1000" }] }],
        validateOnly: false,
      });
      expect(incremental.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([["secret", 3]]);
      if (KAFKA4_GROUPS) {
        const groupAlter = await asAlice(API.IncrementalAlterConfigs, v(API.IncrementalAlterConfigs), {
          resources: [{
            resourceType: RESOURCE_GROUP,
            resourceName: "bob-group",
            configs: [{ name: "consumer.session.timeout.ms", configOperation: 0, value: "50000" }],
          }],
          validateOnly: false,
        });
        expect(groupAlter.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([["bob-group", 0]]);
      }
      cover(API.IncrementalAlterConfigs);

      const bobs = await backing.request(API.DescribeConfigs, 4, {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: `${BOB_PREFIX}secret`, configurationKeys: ["retention.ms"] }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(bobs.results[0]!.configs[0]!.value).toBe(BOB_RETENTION);
      if (!KAFKA4_GROUPS) return;
      const bobsGroup = await backing.request(API.DescribeConfigs, 4, {
        resources: [{ resourceType: RESOURCE_GROUP, resourceName: `${BOB_PREFIX}bob-group`, configurationKeys: ["consumer.session.timeout.ms"] }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(bobsGroup.results[0]!.configs[0]!.value).toBe(BOB_GROUP_SESSION_MS);
      const alicesGroup = await backing.request(API.DescribeConfigs, 4, {
        resources: [{ resourceType: RESOURCE_GROUP, resourceName: `${ALICE_PREFIX}bob-group`, configurationKeys: ["consumer.session.timeout.ms"] }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(alicesGroup.results[0]!.configs[0]!.value).toBe("50000");
    });
  });

  describe("ACLs: answered by kgate per vcluster, none of anyone else", () => {
    test("alice neither lists nor deletes bob's ACLs; her ACLs stay in her vcluster, whatever names they carry", async () => {
      await adminCall(kgate, "PUT", `/v1/vclusters/${ALICE}`, { aclEnabled: true, superUsers: ["User:alice"] });
      await adminCall(kgate, "PUT", `/v1/vclusters/${BOB}`, { aclEnabled: true, superUsers: ["User:bob"] });
      try {
        const creation = (resourceName: string, principal: string) => ({
          resourceType: RESOURCE_TOPIC,
          resourceName,
          resourcePatternType: 3,
          principal,
          host: "*",
          operation: 3,
          permissionType: 3,
        });
        const anyFilter = {
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        };
        const made = await bob.request(API.CreateAcls, v(API.CreateAcls), { creations: [creation("secret", "User:alice"), creation("*", "User:*")] });
        expect(made.results.map((r) => r.errorCode)).toEqual([0, 0]);
        const listed = await asAlice(API.DescribeAcls, v(API.DescribeAcls), anyFilter);
        expect(listed.errorCode).toBe(0);
        expect(listed.resources).toEqual([]);
        const deleted = await asAlice(API.DeleteAcls, v(API.DeleteAcls), {
          filters: [anyFilter, { ...anyFilter, resourceNameFilter: `${BOB_PREFIX}secret`, patternTypeFilter: 2 }],
        });
        expect(deleted.filterResults.map((f) => f.matchingAcls.length)).toEqual([0, 0]);
        const bobs = await bob.request(API.DescribeAcls, v(API.DescribeAcls), anyFilter);
        expect(bobs.resources.map((r) => r.resourceName).sort()).toEqual(["*", "secret"]);
        // An ACL naming bob's backing topic is alice's own, about a name in her own cluster.
        const hers = await asAlice(API.CreateAcls, v(API.CreateAcls), { creations: [creation(`${BOB_PREFIX}secret`, "User:alice")] });
        expect(hers.results[0]!.errorCode).toBe(0);
        const bobsAfter = await adminCall<{ acls: Array<{ resourceName: string }> }>(kgate, "GET", `/v1/vclusters/${BOB}/acls`);
        expect(bobsAfter.acls.map((a) => a.resourceName).sort()).toEqual(["*", "secret"]);
        const md = await asAlice(API.Metadata, 12, metadataBody(null));
        expect(JSON.stringify(md)).not.toContain("secret");
        cover(API.DescribeAcls, API.CreateAcls, API.DeleteAcls);
      } finally {
        await adminCall(kgate, "PUT", `/v1/vclusters/${ALICE}`, { aclEnabled: false });
        await adminCall(kgate, "PUT", `/v1/vclusters/${BOB}`, { aclEnabled: false });
      }
    });
  });
});
