// What the store keeps. Plain JSON-able objects, treated as immutable: every mutation builds a
// new state, so readers holding an older snapshot never see a half-applied change.

export interface VclusterRecord {
  readonly name: string;
  /** Prepended to topic names, group ids and transactional ids on the backing cluster. */
  readonly prefix: string;
  /** ISO 8601. Tokens issued before this instant never authenticate to this vcluster. */
  readonly createdAt: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** "token": authenticates with JWTs from the admin API; "password": a static config user. */
export type ServiceAccountAuth = "token" | "password";

export interface ServiceAccountRecord {
  readonly vcluster: string;
  readonly username: string;
  readonly auth: ServiceAccountAuth;
  readonly createdAt: string;
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

/** Secrets kgate generates once when the config does not provide them. */
export type SecretName = "adminToken" | "tokenSecret";

export interface StoreState {
  readonly vclusters: Readonly<Record<string, VclusterRecord>>;
  /** Keyed by `serviceAccountKey(vcluster, username)`. */
  readonly serviceAccounts: Readonly<Record<string, ServiceAccountRecord>>;
  readonly tokens: Readonly<Record<string, IssuedTokenRecord>>;
  readonly revokedTokens: Readonly<Record<string, RevokedTokenRecord>>;
  readonly secrets: Readonly<Partial<Record<SecretName, string>>>;
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
  secrets: {},
};

export function serviceAccountKey(vcluster: string, username: string): string {
  // '/' is neither in a DNS label nor in an allowed username, so keys cannot be ambiguous.
  return `${vcluster}/${username}`;
}

/**
 * `record[key]` for own keys only. Names like "constructor" are valid DNS labels and token ids,
 * and a plain lookup would find Object.prototype members instead of nothing.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
