// The one place that says which API versions a vcluster offers: the backing cluster's versions,
// clamped to what kgate's codec knows and to the vcluster's allow-list (invariant 1), plus the
// APIs kgate answers itself whatever the backing cluster offers. VclusterPolicy answers every
// ApiVersions request of a vcluster connection with this.
import { clampApiVersions } from "../gateway/api-versions.ts";
import type { ApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { offeredVersions, vclusterVersionFilter } from "./allowed-apis.ts";
import { CLIENT_TELEMETRY_API_KEYS } from "./client-telemetry.ts";

/**
 * kgate answers SaslHandshake and SaslAuthenticate itself, so it offers them even when the
 * backing listener (PLAINTEXT) does not; librdkafka will not log in otherwise. Client telemetry
 * is answered by kgate too, so it is offered whatever the broker offers.
 */
const LOCALLY_ANSWERED: readonly number[] = [ApiKey.SaslHandshake, ApiKey.SaslAuthenticate, ...CLIENT_TELEMETRY_API_KEYS];

/** The ApiVersions body a vcluster client receives, from the (cached) backing answer; `backing` is not changed. */
export function vclusterApiVersions(backing: ApiVersionsResponse): ApiVersionsResponse {
  const body: ApiVersionsResponse = { ...backing, throttleTimeMs: 0, apiKeys: backing.apiKeys.map((k) => ({ ...k })) };
  clampApiVersions(body, vclusterVersionFilter);
  for (const apiKey of LOCALLY_ANSWERED) {
    const offered = offeredVersions(apiKey)!;
    const entry = body.apiKeys.find((e) => e.apiKey === apiKey);
    if (entry) {
      entry.minVersion = offered.min;
      entry.maxVersion = offered.max;
    } else {
      body.apiKeys.push({ apiKey, minVersion: offered.min, maxVersion: offered.max });
    }
  }
  body.apiKeys.sort((a, b) => a.apiKey - b.apiKey);
  return body;
}
