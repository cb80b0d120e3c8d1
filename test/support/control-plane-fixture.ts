// An in-process admin API over a MemoryStore with a controllable clock, for admin and CLI tests.
import { createAdminApp } from "../../src/admin/app.ts";
import { createKgateMetrics } from "../../src/metrics/metrics.ts";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { type ConfigInput, configSchema } from "../../src/config/schema.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

export const ADMIN_TOKEN = "test-admin-token";
export const TOKEN_SECRET = "0123456789abcdef0123456789abcdef";

export async function controlPlane(configInput: ConfigInput = {}) {
  const clock = { now: Date.parse("2030-01-01T00:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  await store.load();
  const config = configSchema.parse(configInput);
  const metrics = createKgateMetrics({ vclusterCount: () => store.listVclusters().length });
  const signer = await createTokenSigner(TOKEN_SECRET);
  const app = createAdminApp({
    store,
    config,
    metrics: metrics.registry,
    clock: () => clock.now,
    adminToken: ADMIN_TOKEN,
    signer,
  });
  /** Authenticated request; `body` objects are sent as JSON. */
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body !== undefined && typeof body !== "string" ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return { app, store, config, metrics, signer, clock, call };
}
