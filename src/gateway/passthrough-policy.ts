// The transparent proxy: every request goes upstream as the bytes that arrived; only responses
// that carry broker addresses are decoded and rewritten, and ApiVersions is clamped. kgate's
// own topics are the exception: frames that may mention them are decoded (internal-topics-guard).
import { decodeResponse, encodeResponse, responseTopLevelTagCount } from "../protocol/codec.ts";
import { hasEntities } from "../protocol/entity-walk.ts";
import { apiSpec } from "../protocol/registry.ts";
import { rewriteBrokerAddresses } from "./address-rewrite.ts";
import { API_VERSIONS_KEY, apiVersionsRewrite, unsupportedApiVersionsResponse } from "./api-versions.ts";
import type { BrokerDirectory } from "./broker-directory.ts";
import type { InternalTopicsGuard } from "./internal-topics-guard.ts";
import { produceAcks } from "./produce-acks.ts";
import type { RequestHead, RequestOutcome, ResponseRewrite, SessionPolicy } from "./session-policy.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";

const PRODUCE_KEY = ApiKey.Produce;

/** Per (api, version): the rewrite its responses need, computed once. */
export class ResponseRewrites {
  private readonly cache = new Map<number, ResponseRewrite | null>();

  constructor(private readonly brokers: BrokerDirectory) {}

  for(apiKey: number, apiVersion: number): ResponseRewrite | undefined {
    const key = apiKey * 1000 + apiVersion;
    let r = this.cache.get(key);
    if (r === undefined) {
      r = this.build(apiKey, apiVersion);
      this.cache.set(key, r);
    }
    return r ?? undefined;
  }

  private build(apiKey: number, apiVersion: number): ResponseRewrite | null {
    const spec = apiSpec(apiKey);
    if (!spec || apiVersion < spec.minVersion || apiVersion > spec.maxVersion) return null;
    if (apiKey === API_VERSIONS_KEY) return apiVersionsRewrite(apiVersion);
    if (!hasEntities(spec.response.entities, apiVersion, "brokerEndpoint")) return null;
    const brokers = this.brokers;
    // Produce and Fetch carry NodeEndpoints, a top-level tagged field, only after a leader
    // change: a response without top-level tags is passed on without being decoded.
    const onlyInTopLevelTags = spec.response.entities
      .filter((f) => f.kind === "brokerEndpoint" && apiVersion >= f.versions[0] && apiVersion <= f.versions[1])
      .every((f) => spec.response.topLevelTagged.includes(f.path[0]!));
    return async (frame) => {
      if (onlyInTopLevelTags && responseTopLevelTagCount(frame, apiKey, apiVersion) === 0) return frame;
      const { header, body } = decodeResponse(frame, apiKey, apiVersion);
      // Produce and Fetch carry NodeEndpoints only after a leader change: usually nothing to do.
      if ((await rewriteBrokerAddresses(body, spec.response.entities, apiVersion, brokers)) === 0) return frame;
      return encodeResponse(apiKey, apiVersion, header, body);
    };
  }
}

export class PassthroughPolicy implements SessionPolicy {
  readonly view = "passthrough";
  readonly awaitingAuthentication = false;

  /** `stillAllowed` says why the backing view has ended for this connection, or null. */
  constructor(
    private readonly rewrites: ResponseRewrites,
    private readonly internalTopics?: InternalTopicsGuard,
    private readonly stillAllowed?: () => string | null,
  ) {}

  recheck(): string | null {
    return this.stillAllowed?.() ?? null;
  }

  onRequest(frame: Uint8Array, head: RequestHead): RequestOutcome {
    if (head.apiKey === API_VERSIONS_KEY && head.apiVersion > apiSpec(API_VERSIONS_KEY)!.maxVersion) {
      return { kind: "answer", frame: unsupportedApiVersionsResponse(head.correlationId) };
    }
    const expectResponse = head.apiKey !== PRODUCE_KEY || produceAcks(frame, head.apiVersion) !== 0;
    const rewrite = this.rewrites.for(head.apiKey, head.apiVersion);
    if (!this.internalTopics) return { kind: "forward", frame, expectResponse, rewrite };
    const guarded = this.internalTopics.request(frame, head);
    if ("close" in guarded) return { kind: "close", reason: guarded.close };
    return { kind: "forward", frame: guarded.frame, expectResponse, rewrite: this.internalTopics.responseRewrite(head, guarded.swaps, rewrite) };
  }
}
