// Declared vclusters carry their ACL settings; a super user that is not `User:<name>` stops the start.
import { describe, expect, test } from "bun:test";
import { configSchema } from "../../src/config/schema.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { applyDeclaredVclusters } from "../../src/store/declared-vclusters.ts";

describe("config: vcluster ACL settings", () => {
  test("aclEnabled and superUsers of a declared vcluster reach the store", async () => {
    const config = configSchema.parse({ vclusters: [{ name: "vc-a", aclEnabled: true, superUsers: ["User:ops"] }] });
    const store = new MemoryStore();
    await store.load();
    await applyDeclaredVclusters(store, config.vclusters);
    expect(store.getVcluster("vc-a")).toMatchObject({ aclEnabled: true, superUsers: ["User:ops"] });
  });

  test("a super user must be a User: principal", () => {
    const parsed = configSchema.safeParse({ vclusters: [{ name: "vc-a", superUsers: ["ops"] }] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues.map((i) => i.path))).toContain("superUsers");
  });
});
