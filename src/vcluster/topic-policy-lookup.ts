// What the topic policy rules need to know beyond the request: the tenant's policy (the config
// defaults under the vcluster's own, read at each request so an admin change applies at once),
// the partitions the tenant already has, and what the broker makes of -1 (its defaults). The
// last two are asked of the backing cluster on kgate's lookup connection, with a timeout.
//
// A tenant's partition counts are kept for a few seconds and updated with every topic kgate
// lets through, so a burst of CreateTopics costs one lookup (not one listing of the whole
// cluster per request) and cannot slip past the cap between lookups. Until the cache expires
// it may count a topic the broker then refused or one deleted since: it errs on the safe side.
// Several kgate nodes each keep their own counts; the cap is exact per node, not across nodes.
import type { CreateTopicsResponse } from "../protocol/messages/create-topics-response.ts";
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import type { Tenant } from "./tenant.ts";
import type { MetadataLookup } from "../client/lookup.ts";
import { effectiveTopicPolicy, type TopicPolicy } from "../model/topic-policy-schema.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import type { CountLimits } from "./quota-counts.ts";

const METADATA = ApiKey.Metadata;
const CREATE_TOPICS = ApiKey.CreateTopics;
const LOOKUP_TIMEOUT_MS = 10_000;
const DEFAULTS_TTL_MS = 60_000;
const PARTITIONS_TTL_MS = 5_000;
/** Never created: the probe is validate-only, and kgate's own `_kgate` names are kept from tenants. */
const PROBE_TOPIC = "_kgate_policy_probe";

export interface BrokerTopicDefaults {
  numPartitions: number;
  replicationFactor: number;
}

export interface TopicPolicyContext {
  readonly policy: TopicPolicy;
  /** The vcluster's topic and partition count quotas (`quotas.maxTopics`, `quotas.maxPartitions`). */
  readonly counts?: CountLimits;
  /**
   * The tenant's topics on the backing cluster: backing name → partition count. The map is the
   * live cached one: a rule sets in it what it lets through, synchronously after the await, so
   * the next request (even one awaiting the same lookup) counts it.
   */
  partitions(): Promise<Map<string, number>>;
  /** One log line about a request the policy (partly) refused. */
  log(line: string): void;
  /** What the broker creates for -1 (`num.partitions`, `default.replication.factor`). */
  brokerDefaults(): Promise<BrokerTopicDefaults>;
}

export class TopicPolicies {
  private defaultsCache: { at: number; value: Promise<BrokerTopicDefaults> } | null = null;
  /** Per vcluster: its topics' partition counts, as last looked up plus what kgate let through since. */
  private readonly partitionCache = new Map<string, { at: number; counts: Promise<Map<string, number>> }>();

  constructor(
    /** The config's `topicPolicy`; `setDefaults` replaces it on a config reload. */
    private defaults: TopicPolicy,
    /** The vcluster's own policy from the store, if it has one. */
    private readonly ownPolicy: (vcluster: string) => TopicPolicy | undefined,
    private readonly lookup: MetadataLookup,
    private readonly clock: () => number = Date.now,
    private readonly logLine: (line: string) => void = () => {},
    /** The vcluster's count quotas, read at each request like its policy. */
    private readonly countLimits?: (vcluster: string) => CountLimits | undefined,
  ) {}

  /** A reloaded config's defaults apply from the next request on. */
  setDefaults(defaults: TopicPolicy): void {
    this.defaults = defaults;
  }

  /** `logLine`: where this request's lines go (the connection's log), else the shared one. */
  forTenant(tenant: Tenant, logLine?: (line: string) => void): TopicPolicyContext {
    return {
      policy: effectiveTopicPolicy(this.defaults, this.ownPolicy(tenant.name)),
      counts: this.countLimits?.(tenant.name),
      partitions: () => this.partitionsOf(tenant),
      brokerDefaults: () => this.brokerDefaults(),
      log: (line) => (logLine ?? this.logLine)(`vcluster ${tenant.name}: ${line}`),
    };
  }

  private partitionsOf(tenant: Tenant): Promise<Map<string, number>> {
    const now = this.clock();
    const cached = this.partitionCache.get(tenant.name);
    if (cached && now - cached.at < PARTITIONS_TTL_MS) return cached.counts;
    for (const [name, entry] of this.partitionCache) if (now - entry.at >= PARTITIONS_TTL_MS) this.partitionCache.delete(name);
    const counts = this.lookUpPartitions(tenant);
    this.partitionCache.set(tenant.name, { at: now, counts });
    counts.catch(() => this.partitionCache.delete(tenant.name));
    return counts;
  }

  private async lookUpPartitions(tenant: Tenant): Promise<Map<string, number>> {
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

/** A lookup that did not answer in time (REQUEST_TIMED_OUT, unlike other lookup failures). */
export class LookupTimeout extends Error {}

async function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LookupTimeout(`${what} took longer than ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
