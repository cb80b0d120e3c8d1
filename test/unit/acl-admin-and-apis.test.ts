// Vcluster ACLs through the admin API (aclEnabled and superUsers on the vcluster; /acls list,
// create, delete by filter) and through Kafka's ACL APIs answered by kgate (who may manage,
// SECURITY_DISABLED while ACLs are off, per-vcluster results), encoded at every version.
import { describe, expect, test } from "bun:test";
import { decodeResponse, encodeRequest } from "../../src/protocol/codec.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import { answerAclApi } from "../../src/vcluster/acl/acl-apis.ts";
import { AclIndex } from "../../src/model/acl-matcher.ts";
import { type AclBinding, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";
import { AclDecisions } from "../../src/vcluster/acl/acl-stage.ts";
import { offeredVersions } from "../../src/vcluster/allowed-apis.ts";
import { controlPlane } from "../support/control-plane-fixture.ts";

type Obj = Record<string, unknown>;

describe("admin API: vcluster ACLs", () => {
  test("aclEnabled and superUsers are set with PUT and shown; a bad principal is a 400", async () => {
    const { call } = await controlPlane();
    const created = await call("PUT", "/v1/vclusters/vc-a", { aclEnabled: true, superUsers: ["User:alice"] });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ aclEnabled: true, superUsers: ["User:alice"] });
    expect((await call("PUT", "/v1/vclusters/vc-a", { superUsers: ["alice"] })).status).toBe(400);
    expect(await (await call("PUT", "/v1/vclusters/vc-a", { aclEnabled: false })).json()).toMatchObject({ aclEnabled: false });
  });

  test("POST, GET and DELETE /acls in tenant names; other vclusters untouched; unknown vcluster 404", async () => {
    const { call } = await controlPlane();
    await call("PUT", "/v1/vclusters/vc-a");
    await call("PUT", "/v1/vclusters/vc-b");
    const acl = { resourceType: "TOPIC", resourceName: "orders", principal: "User:bob", operation: "WRITE" };
    const posted = await call("POST", "/v1/vclusters/vc-a/acls", {
      acls: [acl, { ...acl, resourceName: "pay", patternType: "PREFIXED", permissionType: "DENY" }],
    });
    expect(posted.status).toBe(201);
    expect((await posted.json()).acls).toContainEqual({ ...acl, patternType: "LITERAL", host: "*", permissionType: "ALLOW" });
    expect((await call("POST", "/v1/vclusters/vc-b/acls", { acls: [{ ...acl, principal: "bob" }] })).status).toBe(400);
    expect((await call("POST", "/v1/vclusters/vc-b/acls", { acls: [{ ...acl, resourceType: "CLUSTER" }] })).status).toBe(400);
    expect((await (await call("GET", "/v1/vclusters/vc-b/acls")).json()).acls).toEqual([]);
    const deleted = await call("DELETE", "/v1/vclusters/vc-a/acls", { permissionType: "DENY" });
    expect((await deleted.json()).acls.map((a: Obj) => a.resourceName)).toEqual(["pay"]);
    expect((await (await call("GET", "/v1/vclusters/vc-a/acls")).json()).acls).toHaveLength(1);
    expect((await call("GET", "/v1/vclusters/vc-z/acls")).status).toBe(404);
  });
});

describe("Kafka ACL APIs answered by kgate", () => {
  const cluster = (operation: number): AclBinding => ({
    resourceType: Res.CLUSTER,
    resourceName: "kafka-cluster",
    patternType: Pattern.LITERAL,
    principal: "User:bob",
    host: "*",
    operation,
    permissionType: Permission.ALLOW,
  });
  const creation = {
    resourceType: Res.TOPIC,
    resourceName: "orders",
    resourcePatternType: Pattern.LITERAL,
    principal: "User:carol",
    host: "*",
    operation: Op.READ,
    permissionType: Permission.ALLOW,
  };
  const anyFilter = {
    resourceTypeFilter: Res.ANY,
    resourceNameFilter: null,
    patternTypeFilter: Pattern.ANY,
    principalFilter: null,
    hostFilter: null,
    operation: Op.ANY,
    permissionType: Permission.ANY,
  };

  async function setup() {
    const store = new MemoryStore();
    await store.load();
    await store.putVcluster({ name: "vc-a", aclEnabled: true });
    await store.putVcluster({ name: "vc-b", aclEnabled: true });
    const admin = { list: (v: string) => store.listAcls(v), create: store.createAcls.bind(store), delete: store.deleteAcls.bind(store) };
    const audit: Obj[] = [];
    const call = async (vcluster: string, apiKey: number, v: number, body: unknown, acls: AclBinding[] | null) => {
      const frame = concatBytes(encodeRequest({ apiKey, apiVersion: v, correlationId: 7, clientId: "t" }, body));
      const decisions = acls === null
        ? null
        : new AclDecisions({ index: new AclIndex(acls), superUsers: new Set() }, { principal: "User:bob", host: "1.2.3.4" });
      const out = await answerAclApi(frame, { apiKey, apiVersion: v, correlationId: 7 }, { vcluster, decisions, admin, audit: (e) => audit.push(e) });
      if (out.kind !== "answer" || !out.frame) throw new Error("no answer");
      return decodeResponse<Obj>(concatBytes(out.frame as Uint8Array[]), apiKey, v).body;
    };
    return { store, call, audit };
  }

  test("CreateAcls needs ALTER on the cluster; DescribeAcls DESCRIBE; answers encode at every version", async () => {
    const { store, call, audit } = await setup();
    for (const v of range(ApiKey.CreateAcls)) {
      expect((await call("vc-a", ApiKey.CreateAcls, v, { creations: [creation] }, [cluster(Op.DESCRIBE)])).results).toMatchObject([{ errorCode: 31 }]);
      expect((await call("vc-a", ApiKey.CreateAcls, v, { creations: [creation] }, [cluster(Op.ALTER)])).results).toMatchObject([{ errorCode: 0 }]);
    }
    expect(store.listAcls("vc-a")).toHaveLength(1);
    expect(audit.map((e) => [e.action, e.outcome])).toContainEqual(["acl.create", "failure"]);
    for (const v of range(ApiKey.DescribeAcls)) {
      expect((await call("vc-a", ApiKey.DescribeAcls, v, anyFilter, [cluster(Op.CREATE)])).errorCode).toBe(31); // ALTER would imply DESCRIBE
      const described = await call("vc-a", ApiKey.DescribeAcls, v, anyFilter, [cluster(Op.DESCRIBE)]);
      expect(described).toMatchObject({ errorCode: 0, resources: [{ resourceName: "orders", acls: [{ principal: "User:carol", operation: Op.READ }] }] });
      expect((await call("vc-b", ApiKey.DescribeAcls, v, anyFilter, [cluster(Op.DESCRIBE)])).resources).toEqual([]);
    }
  });

  test("DeleteAcls removes only the vcluster's own; with ACLs off the APIs answer SECURITY_DISABLED", async () => {
    const { store, call } = await setup();
    await store.createAcls("vc-a", [{ ...creation, patternType: Pattern.LITERAL }]);
    const foreign = await call("vc-b", ApiKey.DeleteAcls, 3, { filters: [anyFilter] }, [cluster(Op.ALTER)]);
    expect(foreign.filterResults).toMatchObject([{ errorCode: 0, matchingAcls: [] }]);
    expect(store.listAcls("vc-a")).toHaveLength(1);
    expect((await call("vc-a", ApiKey.DeleteAcls, 3, { filters: [anyFilter] }, [])).filterResults).toMatchObject([{ errorCode: 31 }]);
    expect((await call("vc-a", ApiKey.DescribeAcls, 3, anyFilter, null)).errorCode).toBe(54);
    const removed = await call("vc-a", ApiKey.DeleteAcls, 3, { filters: [anyFilter] }, [cluster(Op.ALTER)]);
    expect(removed.filterResults).toMatchObject([{ errorCode: 0, matchingAcls: [{ resourceName: "orders", principal: "User:carol" }] }]);
    expect(store.listAcls("vc-a")).toHaveLength(0);
  });

  test("one request holds at most 1,000 creations or filters (each filter scans the vcluster's ACLs)", async () => {
    const { store, call } = await setup();
    const many = await call("vc-a", ApiKey.DeleteAcls, 3, { filters: Array.from({ length: 1001 }, () => anyFilter) }, [cluster(Op.ALTER)]);
    expect(new Set((many.filterResults as Obj[]).map((f) => f.errorCode))).toEqual(new Set([42]));
    const created = await call("vc-a", ApiKey.CreateAcls, 3, { creations: Array.from({ length: 1001 }, () => creation) }, [cluster(Op.ALTER)]);
    expect(new Set((created.results as Obj[]).map((r) => r.errorCode))).toEqual(new Set([42]));
    expect(store.listAcls("vc-a")).toHaveLength(0);
  });
});

function range(apiKey: number): number[] {
  const v = offeredVersions(apiKey)!;
  return Array.from({ length: v.max - v.min + 1 }, (_, i) => v.min + i);
}
