// The rewrite plan of one (API key, version), built once from the generated entity metadata and
// the hand rules, then cached: which stages have anything to do for this message at all. A stage
// whose plan says "nothing here" returns at once instead of walking entity paths to find nothing
// (e.g. a Fetch v13+ request names no topic, a Produce response carries no topic id).
import type { EntityField, EntityKind } from "../../protocol/entity-field.ts";
import { idNamePairs, NAME_KINDS } from "../../protocol/name-fields.ts";
import { ApiKey } from "../../protocol/messages/api-keys.ts";
import { apiSpec } from "../../protocol/registry.ts";
import { HAND_RULES, type HandRule } from "../hand-rules.ts";
import { hasReplicaFields } from "../replica-guard.ts";
import { hasBackingState } from "../backing-leaks.ts";
import { responseHasErrorMessages } from "./error-message-free.ts";

export type IdNamePair = ReturnType<typeof idNamePairs>[number];

export interface RequestPlan {
  /** The request's entity fields that exist at this version. */
  readonly entities: readonly EntityField[];
  /** A topic name, group id or transactional id to prefix. */
  readonly hasNames: boolean;
  readonly hasTopicIds: boolean;
  /** Fields saying which replica asks (forced to a consumer's). */
  readonly hasReplicaFields: boolean;
}

export interface ResponsePlan {
  /** The response's entity fields that exist at this version. */
  readonly entities: readonly EntityField[];
  /** (topic id, topic name) pairs in one struct: where kgate learns ids. */
  readonly idNamePairs: readonly IdNamePair[];
  readonly hasTopicNames: boolean;
  /** Group ids or transactional ids. */
  readonly hasGroupNames: boolean;
  readonly hasTopicIds: boolean;
  readonly hasNames: boolean;
  readonly hasBrokerEndpoints: boolean;
  /** Some `…errorMessage` field exists at this version (scrubbed); false only where the specs say so. */
  readonly hasErrorMessages: boolean;
  /** Facts of the backing cluster beyond messages (log dirs, broker-level config sources). */
  readonly hasBackingState: boolean;
  /**
   * Some response stage has work at this version. False (Heartbeat, EndTxn, InitProducerId...):
   * unless a request stage asked for response fix-ups or swapped ids, the broker's response is
   * the client's as it is, and is not even decoded.
   */
  readonly needsRewrite: boolean;
}

export interface RewritePlan {
  readonly apiKey: number;
  readonly version: number;
  readonly isFetch: boolean;
  /** Fetch v13-15: topics by id only, no broker endpoints: a clean session's response streams. */
  readonly fetchCutThrough: boolean;
  readonly handRule: HandRule | undefined;
  readonly request: RequestPlan;
  readonly response: ResponsePlan;
}

const plans = new Map<number, RewritePlan>();

/** The plan of `apiKey` at `version` (an API the generated registry knows). */
export function rewritePlan(apiKey: number, version: number): RewritePlan {
  const key = apiKey * 1000 + version;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = buildPlan(apiKey, version);
    plans.set(key, plan);
  }
  return plan;
}

function buildPlan(apiKey: number, version: number): RewritePlan {
  const spec = apiSpec(apiKey);
  if (!spec) throw new Error(`no generated codec for api key ${apiKey}`);
  const inVersion = (f: EntityField) => version >= f.versions[0] && version <= f.versions[1];
  const request = spec.request.entities.filter(inVersion);
  const response = spec.response.entities.filter(inVersion);
  const has = (fields: readonly EntityField[], ...kinds: EntityKind[]) => fields.some((f) => kinds.includes(f.kind));
  const isFetch = apiKey === ApiKey.Fetch;
  const handRule = HAND_RULES.get(apiKey);
  const responsePlan: Omit<ResponsePlan, "needsRewrite"> = {
    entities: response,
    idNamePairs: idNamePairs(response, version),
    hasTopicNames: has(response, "topicName"),
    hasGroupNames: has(response, "groupId", "transactionalId"),
    hasTopicIds: has(response, "topicId"),
    hasNames: has(response, ...NAME_KINDS),
    hasBrokerEndpoints: has(response, "brokerEndpoint"),
    hasErrorMessages: responseHasErrorMessages(apiKey, version),
    hasBackingState: hasBackingState(apiKey),
  };
  // The entity kinds the response stages act on (not producer ids), the hand rule's response
  // side, messages and backing facts: with none of them, every response stage skips itself.
  const needsRewrite = has(response, ...NAME_KINDS, "topicId", "brokerEndpoint") || handRule?.response !== undefined ||
    responsePlan.hasErrorMessages || responsePlan.hasBackingState;
  return {
    apiKey,
    version,
    isFetch,
    fetchCutThrough: isFetch && version >= 13 && version <= 15,
    handRule,
    request: {
      entities: request,
      hasNames: has(request, ...NAME_KINDS),
      hasTopicIds: has(request, "topicId"),
      hasReplicaFields: hasReplicaFields(apiKey, version),
    },
    response: { ...responsePlan, needsRewrite },
  };
}
