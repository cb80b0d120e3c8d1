// The shape of a topic policy: in the config (`topicPolicy:`, the defaults of every vcluster), on
// the admin API (a vcluster's own `topicPolicy`) and in the store record. One schema for all
// three, so a policy read back from the store passes the same checks as one written.
import { z } from "zod";

/** Kafka config names: dotted lowercase words (`retention.ms`, `cleanup.policy`). */
const configName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,248}$/, "must be a Kafka topic config name");
const limit = z.number().int().positive().nullable().optional();

const range = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, "min must not be above max");

/**
 * Every field is optional; in a vcluster's own policy a field given (null included) replaces
 * the default's, and null means "no limit".
 */
export const topicPolicySchema = z.strictObject({
  /** Partitions one topic may have (CreateTopics, CreatePartitions). */
  maxPartitionsPerTopic: limit,
  /** Partitions all of the vcluster's topics may have together, counted on the backing cluster. */
  maxPartitionsPerVcluster: limit,
  maxReplicationFactor: limit,
  /** Explicit replica placement (`assignments`) names broker ids; refused unless true. */
  allowReplicaAssignment: z.boolean().nullable().optional(),
  /** Topic configs a tenant may set; absent or null: any. */
  allowedConfigs: z.array(configName).nullable().optional(),
  /** Numeric bounds for config values; -1 ("unlimited" in Kafka's size and time configs) counts as infinite. */
  configRanges: z.record(configName, range).nullable().optional(),
});

export type TopicPolicy = z.output<typeof topicPolicySchema>;

/** A vcluster's policy over the defaults: each field it has wins, null included. */
export function effectiveTopicPolicy(defaults: TopicPolicy, own?: TopicPolicy): TopicPolicy {
  return { ...defaults, ...own };
}
