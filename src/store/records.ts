// What the store keeps. Plain JSON-able objects, treated as immutable: every mutation builds a
// new state, so readers holding an older snapshot never see a half-applied change.
import type { ScramMechanism } from "../sasl/scram-primitives.ts";
import type { ScramCredential } from "../sasl/scram-server.ts";
import type { TopicPolicy } from "../model/topic-policy-schema.ts";
import type { Quotas } from "../model/quota-schema.ts";
import { type AclBinding, aclKey } from "../model/acl-model.ts";

export interface VclusterRecord {
  readonly name: string;
  /** Prepended to topic names, group ids and transactional ids on the backing cluster. */
  readonly prefix: string;
  /** ISO 8601. Tokens issued before this instant never authenticate to this vcluster. */
  readonly createdAt: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** The vcluster's own topic policy, over the config's `topicPolicy` defaults. */
  readonly topicPolicy?: TopicPolicy;
  /** The vcluster's own quotas, over the config's `quotas` defaults. */
  readonly quotas?: Quotas;
  /** Backing ACLs (defence in depth): kgate logs in upstream as this SCRAM user for the vcluster's clients. Fixed at creation. */
  readonly backing?: { readonly username: string };
  /** Kafka ACLs authorize every request inside the vcluster (absent: off, every principal may do everything). */
  readonly aclEnabled?: boolean;
  /** Principals (`User:<name>`) that pass every ACL check and may manage the vcluster's ACLs. */
  readonly superUsers?: readonly string[];
}

/** One ACL of a vcluster, in the tenant's own names. Keyed by `aclRecordKey`. */
export interface AclRecord extends AclBinding {
  readonly vcluster: string;
}

/**
 * "token": authenticates with JWTs from the admin API; "password": a static config user;
 * "scram": SCRAM-SHA-256/512 credentials created through the admin API.
 */
export type ServiceAccountAuth = "token" | "password" | "scram";

export interface ServiceAccountRecord {
  readonly vcluster: string;
  readonly username: string;
  readonly auth: ServiceAccountAuth;
  readonly createdAt: string;
  /** Salted SCRAM keys per mechanism (never the password); set for "scram" accounts. */
  readonly scram?: Readonly<Partial<Record<ScramMechanism, ScramCredential>>>;
}

/** Metadata of an issued token (never the token itself). Times are JWT NumericDates (s). */
export interface IssuedTokenRecord {
  readonly jti: string;
  readonly vcluster: string;
  readonly username: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Kept until the token would have expired anyway; after that the JWT check refuses it. */
export interface RevokedTokenRecord {
  readonly jti: string;
  readonly vcluster: string;
  readonly expiresAt: number;
}

/**
 * Which incarnation of a name was deleted last. A record changing that incarnation later (a label
 * update racing the deletion on another node) must not bring it back.
 */
export interface DeletedVclusterRecord {
  readonly name: string;
  readonly createdAt: string;
}

/** Secrets kgate generates when the config does not provide them (kept in key files, see auth/secrets.ts). */
export type SecretName = "adminToken" | "tokenSecret";

/**
 * Secrets an older kgate kept inside the store itself. They are read only to move them out:
 * a store never holds a secret (invariant 6).
 */
export type LegacySecrets = Readonly<Partial<Record<SecretName, string>>>;

export interface StoreState {
  readonly vclusters: Readonly<Record<string, VclusterRecord>>;
  /** Keyed by `serviceAccountKey(vcluster, username)`. */
  readonly serviceAccounts: Readonly<Record<string, ServiceAccountRecord>>;
  readonly tokens: Readonly<Record<string, IssuedTokenRecord>>;
  readonly revokedTokens: Readonly<Record<string, RevokedTokenRecord>>;
  readonly deletedVclusters: Readonly<Record<string, DeletedVclusterRecord>>;
  /** Keyed by `aclRecordKey(vcluster, binding)`. */
  readonly acls: Readonly<Record<string, AclRecord>>;
  /**
   * When the store first held a vcluster (ISO 8601). Never cleared: from then on clients that do
   * not authenticate are refused unless the config allows them explicitly (invariant 2).
   */
  readonly tenancySince?: string;
}

export const EMPTY_STATE: StoreState = {
  vclusters: {},
  serviceAccounts: {},
  tokens: {},
  revokedTokens: {},
  deletedVclusters: {},
  acls: {},
};

export function serviceAccountKey(vcluster: string, username: string): string {
  // '/' is neither in a DNS label nor in an allowed username, so keys cannot be ambiguous.
  return `${vcluster}/${username}`;
}

/** One key per distinct binding of a vcluster: creating the same ACL twice keeps one, as in Kafka. */
export function aclRecordKey(vcluster: string, acl: AclBinding): string {
  return `${vcluster}/${aclKey(acl)}`;
}

/**
 * `record[key]` for own keys only. Names like "constructor" are valid DNS labels and token ids,
 * and a plain lookup would find Object.prototype members instead of nothing.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
