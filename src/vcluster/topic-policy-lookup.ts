// What the topic policy rules need to know beyond the request: the tenant's policy (the config
// defaults under the vcluster's own, read at each request so an admin change applies at once),
// the partitions the tenant already has, and what the broker makes of -1 (its defaults). The
// last two are asked of the backing cluster on kgate's lookup connection, with a timeout.
import type { CreateTopicsResponse } from "../protocol/messages/create-topics-response.ts";
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import type { Tenant } from "./tenant.ts";
import type { MetadataLookup } from "./topic-id-directory.ts";
import { effectiveTopicPolicy, type TopicPolicy } from "./topic-policy-schema.ts";

const METADATA = 3;
const CREATE_TOPICS = 19;
const LOOKUP_TIMEOUT_MS = 10_000;
const DEFAULTS_TTL_MS = 60_000;
/** Never created: the probe is validate-only, and kgate's own `_kgate` names are kept from tenants. */
const PROBE_TOPIC = "_kgate_policy_probe";

export interface BrokerTopicDefaults {
  numPartitions: number;
  replicationFactor: number;
}

export interface TopicPolicyContext {
  readonly policy: TopicPolicy;
  /** The tenant's topics on the backing cluster: backing name → partition count. */
  partitions(): Promise<Map<string, number>>;
  /** What the broker creates for -1 (`num.partitions`, `default.replication.factor`). */
  brokerDefaults(): Promise<BrokerTopicDefaults>;
}

export class TopicPolicies {
  private defaultsCache: { at: number; value: Promise<BrokerTopicDefaults> } | null = null;

  constructor(
    private readonly defaults: TopicPolicy,
    /** The vcluster's own policy from the store, if it has one. */
    private readonly ownPolicy: (vcluster: string) => TopicPolicy | undefined,
    private readonly lookup: MetadataLookup,
    private readonly clock: () => number = Date.now,
  ) {}

  forTenant(tenant: Tenant): TopicPolicyContext {
    return {
      policy: effectiveTopicPolicy(this.defaults, this.ownPolicy(tenant.name)),
      partitions: () => this.partitionsOf(tenant),
      brokerDefaults: () => this.brokerDefaults(),
    };
  }

  private async partitionsOf(tenant: Tenant): Promise<Map<string, number>> {
    const res = await withTimeout(
      this.lookup(METADATA, 12, {
        topics: null,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      }) as Promise<MetadataResponse>,
      "listing the virtual cluster's topics",
    );
    const out = new Map<string, number>();
    for (const t of res.topics) if (t.errorCode === 0 && t.name && tenant.owns(t.name)) out.set(t.name, t.partitions.length);
    return out;
  }

  private brokerDefaults(): Promise<BrokerTopicDefaults> {
    const now = this.clock();
    if (this.defaultsCache && now - this.defaultsCache.at < DEFAULTS_TTL_MS) return this.defaultsCache.value;
    const value = this.probeDefaults();
    this.defaultsCache = { at: now, value };
    value.catch(() => (this.defaultsCache = null));
    return value;
  }

  /** A validate-only CreateTopics with -1 for both: the broker answers with what it would use. */
  private async probeDefaults(): Promise<BrokerTopicDefaults> {
    const res = await withTimeout(
      this.lookup(CREATE_TOPICS, 7, {
        topics: [{ name: PROBE_TOPIC, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }],
        timeoutMs: LOOKUP_TIMEOUT_MS,
        validateOnly: true,
      }) as Promise<CreateTopicsResponse>,
      "asking the broker for its topic defaults",
    );
    const t = res.topics[0];
    if (!t || t.errorCode !== 0 || t.numPartitions < 1) {
      throw new Error(`the broker did not tell its topic defaults (error ${t?.errorCode ?? "none"})`);
    }
    return { numPartitions: t.numPartitions, replicationFactor: t.replicationFactor };
  }
}

async function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
