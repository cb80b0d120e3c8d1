// Where kgate's own secrets live: config/env, or 0600 key files next to the file store, never in
// the store's records; minimum lengths for configured secrets.
import { describe, expect, test } from "bun:test";
import { chmod, mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSecrets } from "../../src/auth/secrets.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { parseConfigObject } from "../../src/config/load-config.ts";
import { configSchema } from "../../src/config/schema.ts";
import { runtime } from "../../src/runtime/index.ts";
import { FileStore } from "../../src/store/file-store.ts";
import { writeText } from "../support/node-runtime.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const LEGACY_ADMIN = "legacy-admin-token-0123456789";
const LEGACY_SIGNING = "legacy-signing-secret-0123456789abcdef";

async function fileStoreIn(dir: string) {
  const path = join(dir, "data", "store.json");
  const store = new FileStore(path, runtime);
  await store.load();
  return { store, path, config: configSchema.parse({ store: { path } }) };
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("resolveSecrets", () => {
  test("generated secrets go to 0600 key files next to the store, never into the store", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-secrets-"));
    const { store, path, config } = await fileStoreIn(dir);
    const generated = await resolveSecrets(config, store, runtime);
    expect(generated.adminTokenGenerated).toBe(true);
    expect(generated.adminTokenFile).toBe(join(dir, "data", "admin-token"));
    expect((await readFile(join(dir, "data", "admin-token"), "utf8")).trim()).toBe(generated.adminToken);
    expect((await readFile(join(dir, "data", "token-secret"), "utf8")).trim()).toBe(generated.tokenSecret);
    expect(await mode(join(dir, "data", "admin-token"))).toBe(0o600);
    expect(await mode(join(dir, "data", "token-secret"))).toBe(0o600);
    await store.putVcluster({ name: "vc-a" });
    const snapshot = await readFile(path, "utf8");
    expect(snapshot).not.toContain(generated.adminToken);
    expect(snapshot).not.toContain(generated.tokenSecret);

    const again = await resolveSecrets(config, (await fileStoreIn(dir)).store, runtime);
    expect(again).toMatchObject({ adminToken: generated.adminToken, tokenSecret: generated.tokenSecret, adminTokenGenerated: false });
  });

  test("a key file other users can read stops the start, naming the file and the fix", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-secrets-"));
    const { store, config } = await fileStoreIn(dir);
    await resolveSecrets(config, store, runtime);
    await chmod(join(dir, "data", "token-secret"), 0o644);
    await expect(resolveSecrets(config, store, runtime)).rejects.toThrow(/token-secret: readable by other users \(mode 0644\); run chmod 600/);
  });

  test("config values win and nothing is written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-secrets-"));
    const { store } = await fileStoreIn(dir);
    const path = join(dir, "data", "store.json");
    const config = configSchema.parse({ store: { path }, admin: { token: "configured-admin-token" }, auth: { tokenSecret: SECRET } });
    const resolved = await resolveSecrets(config, store, runtime);
    expect(resolved).toMatchObject({ adminToken: "configured-admin-token", tokenSecret: SECRET, adminTokenGenerated: false });
    expect(await runtime.fileExists(join(dir, "data", "admin-token"))).toBe(false);
    expect(await runtime.fileExists(join(dir, "data", "token-secret"))).toBe(false);
  });

  test("secrets an older kgate kept in store.json move to the key files and leave the store", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-secrets-"));
    const path = join(dir, "data", "store.json");
    await writeText(
      path,
      JSON.stringify({
        format: "kgate-store",
        version: 1,
        vclusters: {},
        serviceAccounts: {},
        tokens: {},
        revokedTokens: {},
        secrets: { adminToken: LEGACY_ADMIN, tokenSecret: LEGACY_SIGNING },
      }),
    );
    const { store, config } = await fileStoreIn(dir);
    const resolved = await resolveSecrets(config, store, runtime);
    // Tokens issued before the upgrade stay valid, and so does the operator's admin token.
    expect(resolved).toMatchObject({ adminToken: LEGACY_ADMIN, tokenSecret: LEGACY_SIGNING, adminTokenGenerated: false });
    expect((await readFile(join(dir, "data", "token-secret"), "utf8")).trim()).toBe(LEGACY_SIGNING);
    const snapshot = await readFile(path, "utf8");
    expect(snapshot).not.toContain(LEGACY_ADMIN);
    expect(snapshot).not.toContain(LEGACY_SIGNING);
  });
});

describe("secret rules in the config", () => {
  const problems = (input: unknown) => {
    try {
      parseConfigObject(input, () => undefined, "kgate.yaml");
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.message.split("\n");
    }
  };

  test("store.type kafka needs auth.tokenSecret: every node must sign with the same key", () => {
    expect(problems({ store: { type: "kafka" } }).join("\n")).toMatch(/auth\.tokenSecret: .*store\.type: kafka/);
    expect(problems({ store: { type: "kafka" }, auth: { tokenSecret: SECRET } })).toEqual([]);
  });

  test("admin.token and static-user passwords have a minimum length", () => {
    expect(problems({ admin: { token: "short" } }).join("\n")).toMatch(/admin\.token: must be at least 16 characters/);
    const users = [{ username: "svc", password: "pw", vcluster: "vc-a" }];
    expect(problems({ auth: { users } }).join("\n")).toMatch(/auth\.users\[0\]\.password: must be at least 16 characters/);
    expect(problems({ admin: { token: "sixteen-chars-ok" } })).toEqual([]);
  });
});
