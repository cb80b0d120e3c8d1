// A vcluster's topic policy, as pure checks: partitions per topic and per vcluster, replication
// factor, manual replica assignment, allowed configs and their ranges. Each check returns the
// message for POLICY_VIOLATION (naming the limit), or null. The hand rules applying them to
// requests are in topic-policy-rules.ts.
import type { TopicPolicy } from "../model/topic-policy-schema.ts";

export interface ConfigValue {
  name: string;
  value: string | null;
}

/** What CreateTopics asks for, with -1 (broker default) already resolved by the caller. */
export interface NewTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  manualAssignment: boolean;
  configs: readonly ConfigValue[];
}

export function assignmentProblem(policy: TopicPolicy): string | null {
  return policy.allowReplicaAssignment
    ? null
    : "Manual replica assignment is not allowed in this virtual cluster (allowReplicaAssignment: false); give a partition count instead";
}

export function partitionsProblem(policy: TopicPolicy, topic: string, partitions: number): string | null {
  const max = policy.maxPartitionsPerTopic;
  if (max == null || partitions <= max) return null;
  return `Topic "${topic}" would have ${partitions} partitions; this virtual cluster allows at most ${max} per topic (maxPartitionsPerTopic)`;
}

export function vclusterPartitionsProblem(policy: TopicPolicy, topic: string, total: number): string | null {
  const max = policy.maxPartitionsPerVcluster;
  if (max == null || total <= max) return null;
  return `Topic "${topic}" would bring this virtual cluster to ${total} partitions; it allows at most ${max} (maxPartitionsPerVcluster)`;
}

export function replicationProblem(policy: TopicPolicy, topic: string, replicationFactor: number): string | null {
  const max = policy.maxReplicationFactor;
  if (max == null || replicationFactor <= max) return null;
  return `Topic "${topic}" would have replication factor ${replicationFactor}; this virtual cluster allows at most ${max} (maxReplicationFactor)`;
}

/** A config name the tenant may not set at all. */
export function configNameProblem(policy: TopicPolicy, name: string): string | null {
  const allowed = policy.allowedConfigs;
  if (allowed == null || allowed.includes(name)) return null;
  const list = allowed.length > 0 ? allowed.join(", ") : "none";
  return `Config "${name}" is not allowed in this virtual cluster (allowedConfigs: ${list})`;
}

/** The config name and, when it has a range, the value. A null value (the default) is fine. */
export function configProblem(policy: TopicPolicy, config: ConfigValue): string | null {
  const named = configNameProblem(policy, config.name);
  if (named || config.value === null) return named;
  const range = policy.configRanges?.[config.name];
  if (!range) return null;
  const raw = config.value.trim();
  const number = Number(raw);
  if (raw === "" || !Number.isFinite(number)) {
    return `Config ${config.name}=${config.value} must be a number in this virtual cluster (configRanges.${config.name})`;
  }
  // Kafka's size and time configs read -1 as "unlimited": it is above every maximum.
  const value = number === -1 ? Infinity : number;
  if (range.max !== undefined && value > range.max) {
    return `Config ${config.name}=${config.value} is above the maximum ${range.max} of this virtual cluster (configRanges.${config.name}.max)`;
  }
  if (range.min !== undefined && value < range.min) {
    return `Config ${config.name}=${config.value} is below the minimum ${range.min} of this virtual cluster (configRanges.${config.name}.min)`;
  }
  return null;
}

/** Everything about one new topic except the vcluster-wide total, first problem first. */
export function newTopicProblem(policy: TopicPolicy, topic: NewTopic): string | null {
  if (topic.manualAssignment) {
    const p = assignmentProblem(policy);
    if (p) return p;
  }
  for (const c of topic.configs) {
    const p = configProblem(policy, c);
    if (p) return p;
  }
  return partitionsProblem(policy, topic.name, topic.numPartitions) ?? replicationProblem(policy, topic.name, topic.replicationFactor);
}
