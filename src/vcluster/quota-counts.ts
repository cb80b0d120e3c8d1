// The count quotas of a vcluster (`quotas.maxTopics`, `quotas.maxPartitions`) as pure checks over
// the vcluster's topics on the backing cluster (backing name → partitions, from the topic
// policy's cached lookup). Each returns the POLICY_VIOLATION message naming the limit, or null.

export interface CountLimits {
  readonly maxTopics?: number | null;
  readonly maxPartitions?: number | null;
}

export function hasCountLimits(limits: CountLimits | undefined): boolean {
  return limits !== undefined && (limits.maxTopics != null || limits.maxPartitions != null);
}

/** A new topic beyond the vcluster's topic count. */
export function topicCountProblem(limits: CountLimits | undefined, topic: string, topicsAfter: number): string | null {
  const max = limits?.maxTopics;
  if (max == null || topicsAfter <= max) return null;
  return `Topic "${topic}" would be topic ${topicsAfter} of this virtual cluster; it allows at most ${max} (quotas.maxTopics)`;
}

/** Partitions beyond the vcluster's partition count. */
export function partitionCountProblem(limits: CountLimits | undefined, topic: string, partitionsAfter: number): string | null {
  const max = limits?.maxPartitions;
  if (max == null || partitionsAfter <= max) return null;
  return `Topic "${topic}" would bring this virtual cluster to ${partitionsAfter} partitions; it allows at most ${max} (quotas.maxPartitions)`;
}
