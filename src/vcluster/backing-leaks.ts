// What a backing response says about the backing cluster itself, taken out before a tenant sees
// it (invariant 1): log-dir paths and volume sizes, where a topic's config comes from on the
// broker, and broker error messages that name anything outside the tenant's cluster.
import type { Tenant } from "./tenant.ts";
import { ApiKey, type ResponseOf } from "../protocol/messages/api-keys.ts";
import { ConfigSource } from "../protocol/messages/constants.ts";

type Obj = Record<string, unknown>;

const CREATE_TOPICS = ApiKey.CreateTopics;
const DESCRIBE_CONFIGS = ApiKey.DescribeConfigs;
const DESCRIBE_LOG_DIRS = ApiKey.DescribeLogDirs;

// org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource
const DYNAMIC_BROKER_CONFIG = ConfigSource.DYNAMIC_BROKER_CONFIG;
const DYNAMIC_DEFAULT_BROKER_CONFIG = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
const STATIC_BROKER_CONFIG = ConfigSource.STATIC_BROKER_CONFIG;
const DEFAULT_CONFIG = ConfigSource.DEFAULT_CONFIG;
const BROKER_LEVEL_SOURCES: ReadonlySet<number> = new Set([DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG]);
const TOPIC_CONFIG = ConfigSource.TOPIC_CONFIG;
const GROUP_CONFIG = ConfigSource.GROUP_CONFIG;
/** Synonyms set on the resource itself: the tenant's own settings. */
const RESOURCE_LEVEL_SOURCES: ReadonlySet<number> = new Set([TOPIC_CONFIG, GROUP_CONFIG]);

/** A DescribeConfigs result or a CreateTopics topic: configs with their sources. */
interface ConfigsOf {
  configs?: Array<{ configSource: number; synonyms?: Array<{ source: number }> }> | null;
}

export const WITHHELD_MESSAGE = "the backing cluster's message was withheld: it concerns resources outside this virtual cluster";

/** Scrubs one decoded response of `apiKey`; returns how many values it changed. */
export function scrubBackingLeaks(apiKey: number, body: object, tenant: Tenant): number {
  return scrubErrorMessages(body, tenant) + scrubBackingState(apiKey, body);
}

/** What some APIs say about the backing cluster beyond their messages (decided per API key). */
export function scrubBackingState(apiKey: number, body: object): number {
  switch (apiKey) {
    case DESCRIBE_LOG_DIRS:
      return neutralLogDirs(body as ResponseOf<typeof DESCRIBE_LOG_DIRS>);
    case DESCRIBE_CONFIGS:
      return configsWithoutBrokerLevel((body as ResponseOf<typeof DESCRIBE_CONFIGS>).results, true);
    case CREATE_TOPICS:
      return configsWithoutBrokerLevel((body as ResponseOf<typeof CREATE_TOPICS>).topics, false);
    default:
      return 0;
  }
}

/** Whether scrubBackingState has anything to do for this API. */
export function hasBackingState(apiKey: number): boolean {
  return apiKey === DESCRIBE_LOG_DIRS || apiKey === DESCRIBE_CONFIGS || apiKey === CREATE_TOPICS;
}

/**
 * Every `…errorMessage` field, Produce's `batchIndexErrorMessage` included: the tenant's prefix
 * comes out, and a message that still names something not the tenant's is replaced whole.
 */
export function scrubErrorMessages(body: unknown, tenant: Tenant): number {
  let changed = 0;
  const visit = (obj: unknown) => {
    if (obj === null || typeof obj !== "object" || obj instanceof Uint8Array) return;
    if (Array.isArray(obj)) {
      for (const el of obj) visit(el);
      return;
    }
    for (const [k, v] of Object.entries(obj as Obj)) {
      if (typeof v === "string" && (k === "errorMessage" || k.endsWith("ErrorMessage"))) {
        const scrubbed = scrubMessage(v, tenant);
        if (scrubbed !== v) {
          (obj as Obj)[k] = scrubbed;
          changed++;
        }
      } else if (typeof v === "object") visit(v);
    }
  };
  visit(body);
  return changed;
}

/** A backing message as the tenant may read it. */
export function scrubMessage(message: string, tenant: Tenant): string {
  if (message === "") return message;
  const leak = backingLeak(message, tenant);
  return leak === null ? message.split(tenant.prefix).join("") : WITHHELD_MESSAGE;
}

/**
 * What in a broker message is not the tenant's, or null. The broker only knows backing names;
 * those of the tenant carry its prefix, so anything else that looks like a backing name, path
 * or address is someone else's or the cluster's own. Each check is a linear scan: the message
 * may echo tenant input.
 */
export function backingLeak(message: string, tenant: Tenant): string | null {
  for (const other of tenant.otherPrefixes()) {
    if (other !== "" && message.includes(other)) return "another virtual cluster's name";
  }
  if (foldedPrefixVariant(message, tenant.prefix)) return "a backing name that collides with the tenant's prefix";
  if (/(?:^|[^A-Za-z0-9])__[A-Za-z]/.test(message) || message.includes("_kgate")) return "an internal topic";
  if (/(?:^|[\s'"(=:[,])(?:\/|[A-Za-z]:\\)[^\s/\\]/.test(message)) return "a file path";
  if (/(?:^|[^0-9.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:$|[^0-9.])/.test(message) || hostPort(message)) return "a network address";
  return null;
}

/**
 * Whether `message` holds a name equal to `prefix` once '.' and '_' are folded (Kafka treats them
 * as the same in topic names) but not `prefix` itself, e.g. a colliding backing topic.
 */
function foldedPrefixVariant(message: string, prefix: string): boolean {
  if (!/[._]/.test(prefix)) return false;
  const fold = (s: string) => s.replaceAll(".", "_");
  const folded = fold(prefix);
  const text = fold(message);
  for (let at = text.indexOf(folded); at >= 0; at = text.indexOf(folded, at + 1)) {
    if (message.slice(at, at + prefix.length) !== prefix) return true;
  }
  return false;
}

/** `host:port` or `[v6]:port`: a name character right before ':' and 2-5 digits after it. */
function hostPort(message: string): boolean {
  for (let at = message.indexOf(":"); at >= 0; at = message.indexOf(":", at + 1)) {
    const before = message[at - 1];
    if (before === undefined || !/[A-Za-z0-9\]]/.test(before)) continue;
    let digits = 0;
    while (digits < 6 && /[0-9]/.test(message[at + 1 + digits] ?? "")) digits++;
    const after = message[at + 1 + digits];
    if (digits >= 2 && digits <= 5 && (after === undefined || !/[A-Za-z0-9]/.test(after))) return true;
  }
  return false;
}

/** Log-dir paths become `log-dir-<i>`; the volume sizes (shared with every tenant) become unknown. */
function neutralLogDirs(body: ResponseOf<typeof DESCRIBE_LOG_DIRS>): number {
  let changed = 0;
  body.results?.forEach((r, i) => {
    r.logDir = `log-dir-${i}`;
    if ("totalBytes" in r) r.totalBytes = -1n;
    if ("usableBytes" in r) r.usableBytes = -1n;
    changed++;
  });
  return changed;
}

/**
 * A config's effective value stays: it governs the tenant's own topic or group. Where the broker
 * says it comes from broker-level settings, the tenant is told DEFAULT_CONFIG, and synonyms from
 * broker level (the operator's settings, e.g. a static value under a dynamic one) are removed.
 */
function configsWithoutBrokerLevel(resources: readonly ConfigsOf[] | undefined, withSynonyms: boolean): number {
  let changed = 0;
  for (const r of resources ?? []) {
    for (const c of r.configs ?? []) {
      if (BROKER_LEVEL_SOURCES.has(c.configSource)) {
        c.configSource = DEFAULT_CONFIG;
        changed++;
      }
      if (withSynonyms && Array.isArray(c.synonyms)) {
        const kept = c.synonyms.filter((s) => RESOURCE_LEVEL_SOURCES.has(s.source));
        if (kept.length !== c.synonyms.length) {
          c.synonyms = kept;
          changed++;
        }
      }
    }
  }
  return changed;
}
