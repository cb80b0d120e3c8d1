// The shape of a vcluster's quotas: in the config (`quotas:`, the defaults of every vcluster), on
// the admin API (a vcluster's own `quotas`) and in the store record. One schema for all three, so
// quotas read back from the store pass the same checks as quotas written (as topic-policy-schema.ts).
import { z } from "zod";

/** Bytes (or requests) per second; null: no limit. */
const rate = z.number().positive().max(1e15).nullable().optional();
const count = z.number().int().positive().nullable().optional();
/** The admin API's username rule: the principals a quota can name. */
const principalName = z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, "must be 1-128 letters, digits or . _ @ + -");

/** What can be bounded per principal (service account, token user, static user) of a vcluster. */
const principalQuotaShape = {
  /** Produce request bytes per second (Kafka's producer_byte_rate). */
  producerByteRate: rate,
  /** Fetch response bytes per second (Kafka's consumer_byte_rate). */
  consumerByteRate: rate,
  /** Requests per second, every API but ApiVersions and the SASL exchange. */
  requestRate: rate,
  /** Open connections with a view of the vcluster; one more is refused when it gets the view (at login). */
  maxConnections: count,
};

const principalQuotaSchema = z.strictObject(principalQuotaShape);

/**
 * Every field is optional; in a vcluster's own quotas a field given (null included) replaces the
 * default's, and null means "no limit". Rates and connections bound the whole vcluster (all its
 * principals together); `principalDefaults` bound each principal, `principals` single ones.
 */
export const quotasSchema = z.strictObject({
  ...principalQuotaShape,
  /** Topics the vcluster may have on the backing cluster (CreateTopics beyond: POLICY_VIOLATION). */
  maxTopics: count,
  /** Partitions of all the vcluster's topics together (CreateTopics, CreatePartitions). */
  maxPartitions: count,
  /** Each principal's own quotas, unless `principals` names it. */
  principalDefaults: principalQuotaSchema.nullable().optional(),
  /** Quotas of named principals, field by field over `principalDefaults`. */
  principals: z.record(principalName, principalQuotaSchema).nullable().optional(),
});

export type Quotas = z.output<typeof quotasSchema>;
export type PrincipalQuota = z.output<typeof principalQuotaSchema>;

/** A vcluster's quotas over the defaults: each field it has wins, null included. */
export function effectiveQuotas(defaults: Quotas, own?: Quotas): Quotas {
  return { ...defaults, ...own };
}

/** The quotas of one principal: its own entry over `principalDefaults`. */
export function principalQuota(quotas: Quotas, principal: string): PrincipalQuota {
  const own = quotas.principals && Object.hasOwn(quotas.principals, principal) ? quotas.principals[principal] : undefined;
  return { ...quotas.principalDefaults, ...own };
}
