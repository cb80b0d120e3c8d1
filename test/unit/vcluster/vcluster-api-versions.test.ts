// The one place a vcluster's ApiVersions answer is built: the backing versions clamped to the
// vcluster's allow-list and the codec, plus the APIs kgate answers itself.
import { expect, test } from "bun:test";
import { ApiKey } from "../../../src/protocol/messages/api-keys.ts";
import type { ApiVersionsResponse } from "../../../src/protocol/messages/api-versions-response.ts";
import { offeredVersions } from "../../../src/vcluster/allowed-apis.ts";
import { vclusterApiVersions } from "../../../src/vcluster/vcluster-api-versions.ts";

const backing = (): ApiVersionsResponse => ({
  errorCode: 0,
  throttleTimeMs: 5,
  apiKeys: [
    { apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 99 },
    { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 99 },
    { apiKey: ApiKey.AlterPartitionReassignments, minVersion: 0, maxVersion: 0 },
  ],
  supportedFeatures: [],
  finalizedFeaturesEpoch: -1n,
  finalizedFeatures: [],
  zkMigrationReady: false,
});

test("clamped to what a vcluster offers; APIs it refuses are not advertised; SASL is always there", () => {
  const from = backing();
  const body = vclusterApiVersions(from);
  const byKey = new Map(body.apiKeys.map((k) => [k.apiKey, k]));
  const fetch = byKey.get(ApiKey.Fetch)!;
  expect(fetch.minVersion).toBe(offeredVersions(ApiKey.Fetch)!.min);
  expect(fetch.maxVersion).toBeLessThanOrEqual(offeredVersions(ApiKey.Fetch)!.max);
  expect(fetch.maxVersion).toBeLessThan(99);
  expect(byKey.has(ApiKey.AlterPartitionReassignments)).toBe(false);
  expect(byKey.has(ApiKey.SaslHandshake)).toBe(true);
  expect(byKey.has(ApiKey.SaslAuthenticate)).toBe(true);
  expect(body.apiKeys.map((k) => k.apiKey)).toEqual([...body.apiKeys.map((k) => k.apiKey)].sort((a, b) => a - b));
  expect(body.throttleTimeMs).toBe(0);
  // The cached backing answer is not changed.
  expect(from.apiKeys[0]).toEqual({ apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 99 });
  expect(from.apiKeys.length).toBe(3);
});
