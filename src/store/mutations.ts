// Every store change as a pure function (state, input, now) → (next state, events). Store
// backends only decide where the result is persisted; the rules live here once.
import { StoreError } from "./errors.ts";
import type { StoreEvent } from "./events.ts";
import {
  backingUsername,
  defaultPrefix,
  findPrefixConflict,
  internalTopicProblem,
  isReservedVclusterName,
  isValidVclusterName,
  prefixSyntaxProblem,
  VCLUSTER_NAME_PATTERN,
} from "../model/prefix-rules.ts";
import {
  type AclRecord,
  aclRecordKey,
  type IssuedTokenRecord,
  own,
  type RevokedTokenRecord,
  serviceAccountKey,
  type ServiceAccountRecord,
  type StoreState,
  type VclusterRecord,
} from "./records.ts";
import type { TopicPolicy } from "../model/topic-policy-schema.ts";
import type { Quotas } from "../model/quota-schema.ts";
import { type AclBinding, aclBindingProblem, type AclFilter } from "../model/acl-model.ts";
import { filterMatches } from "../model/acl-matcher.ts";

/** What a store knows beyond the state itself when it checks a change. */
export interface StoreRules {
  /** Topics of kgate's own that no prefix may reach besides `_kgate*` (e.g. a configured `store.topic`). */
  readonly internalTopics?: readonly string[];
}

/**
 * How far apart the clocks of nodes sharing a store may be without a revocation being dropped
 * while its token is still valid on some node: token metadata and revocations are forgotten
 * only this long after the token's own `exp`.
 */
export const CLOCK_SKEW_ALLOWANCE_SECONDS = 24 * 3600;

export interface Change<T = void> {
  readonly state: StoreState;
  readonly events: readonly StoreEvent[];
  readonly result: T;
}

export interface PutVclusterInput {
  readonly name: string;
  readonly prefix?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Replaces the vcluster's own topic policy when given. */
  readonly topicPolicy?: TopicPolicy;
  /** Replaces the vcluster's own quotas when given. */
  readonly quotas?: Quotas;
  /** Backing ACLs: chosen at creation only; given for an existing vcluster, it must match. */
  readonly backing?: VclusterRecord["backing"];
  /** Turns ACL authorization inside the vcluster on or off when given. */
  readonly aclEnabled?: boolean;
  /** Replaces the vcluster's super users when given. */
  readonly superUsers?: readonly string[];
}

export interface PutVclusterResult {
  readonly vcluster: VclusterRecord;
  readonly created: boolean;
}

function unchanged<T>(state: StoreState, result: T): Change<T> {
  return { state, events: [], result };
}

function sameLabels(a?: Readonly<Record<string, string>>, b?: Readonly<Record<string, string>>): boolean {
  const ak = Object.keys(a ?? {});
  const bk = Object.keys(b ?? {});
  return ak.length === bk.length && ak.every((k) => a?.[k] === b?.[k]);
}

function checkVclusterName(name: string): void {
  if (!isValidVclusterName(name)) {
    throw new StoreError("invalid", `vcluster name "${name}" must be a DNS label matching ${VCLUSTER_NAME_PATTERN.source}`);
  }
  if (isReservedVclusterName(name)) {
    throw new StoreError("conflict", `vcluster name "${name}" is reserved for the built-in transparent view`);
  }
}

/**
 * Why a new vcluster `name` with `prefix` cannot join `state`, as a StoreError; the one check
 * behind admin writes and records read back from a store alike.
 */
function newVclusterProblem(state: StoreState, name: string, prefix: string, rules: StoreRules): StoreError | undefined {
  try {
    checkVclusterName(name);
  } catch (error) {
    return error as StoreError;
  }
  const syntax = prefixSyntaxProblem(prefix) ?? internalTopicProblem(prefix, rules.internalTopics);
  if (syntax) return new StoreError("invalid", syntax);
  const conflict = findPrefixConflict(name, prefix, Object.values(state.vclusters));
  if (conflict) return new StoreError("conflict", conflict.reason);
  return undefined;
}

/**
 * Why `record` cannot be applied to `state`: a new vcluster must pass `newVclusterProblem`; an
 * existing one may change its labels only (its prefix maps data that exists, and its creation
 * time decides which tokens belong to it).
 */
export function vclusterRecordProblem(state: StoreState, record: VclusterRecord, rules: StoreRules): StoreError | undefined {
  if (Number.isNaN(Date.parse(record.createdAt))) return new StoreError("invalid", `createdAt "${record.createdAt}" is not a timestamp`);
  if (record.backing && record.backing.username !== backingUsername(record.name)) {
    return new StoreError("invalid", `backing user "${record.backing.username}" is not vcluster "${record.name}"'s (${backingUsername(record.name)})`);
  }
  const existing = own(state.vclusters, record.name);
  if (!existing && own(state.deletedVclusters, record.name)?.createdAt === record.createdAt) {
    return new StoreError("conflict", `vcluster "${record.name}" (created ${record.createdAt}) was deleted; create it again instead`);
  }
  if (!existing) return newVclusterProblem(state, record.name, record.prefix, rules);
  if (existing.prefix !== record.prefix || existing.createdAt !== record.createdAt || existing.backing?.username !== record.backing?.username) {
    return new StoreError(
      "conflict",
      `vcluster "${record.name}" already exists with prefix "${existing.prefix}" (created ${existing.createdAt}); ` +
        `only its labels can change`,
    );
  }
  return undefined;
}

/** Create, or update the labels of, a vcluster. Its prefix is fixed once created. */
export function putVcluster(state: StoreState, input: PutVclusterInput, now: number, rules: StoreRules = {}): Change<PutVclusterResult> {
  checkVclusterName(input.name);
  const existing = own(state.vclusters, input.name);
  if (existing) {
    if (input.prefix !== undefined && input.prefix !== existing.prefix) {
      // Changing it would silently orphan every topic and group already under the old prefix.
      throw new StoreError(
        "conflict",
        `vcluster "${input.name}" already has prefix "${existing.prefix}"; a prefix cannot change (delete and re-create instead)`,
      );
    }
    if (input.backing !== undefined && input.backing.username !== existing.backing?.username) {
      // Its clients' upstream identity, and the backing cluster's ACLs, are decided at creation.
      throw new StoreError(
        "conflict",
        `vcluster "${input.name}" exists ${existing.backing ? "with" : "without"} backing ACLs; that is fixed at creation (delete and re-create instead)`,
      );
    }
    const newLabels = input.labels !== undefined && !sameLabels(input.labels, existing.labels);
    const newPolicy = input.topicPolicy !== undefined && JSON.stringify(input.topicPolicy) !== JSON.stringify(existing.topicPolicy);
    const newQuotas = input.quotas !== undefined && JSON.stringify(input.quotas) !== JSON.stringify(existing.quotas);
    const acl = aclSettingsChange(existing, input);
    if (!newLabels && !newPolicy && !newQuotas && !acl) return unchanged(state, { vcluster: existing, created: false });
    const vcluster: VclusterRecord = {
      ...existing,
      ...(newLabels ? { labels: { ...input.labels } } : {}),
      ...(newPolicy ? { topicPolicy: input.topicPolicy } : {}),
      ...(newQuotas ? { quotas: input.quotas } : {}),
      ...acl,
    };
    return {
      state: { ...state, vclusters: { ...state.vclusters, [vcluster.name]: vcluster } },
      events: [{ type: "vcluster-upserted", vcluster, created: false }],
      result: { vcluster, created: false },
    };
  }

  const prefix = input.prefix ?? defaultPrefix(input.name);
  const problem = newVclusterProblem(state, input.name, prefix, rules);
  if (problem) throw problem;
  if (input.backing && input.backing.username !== backingUsername(input.name)) {
    throw new StoreError("invalid", `backing user "${input.backing.username}" is not vcluster "${input.name}"'s`);
  }

  const vcluster: VclusterRecord = {
    name: input.name,
    prefix,
    createdAt: new Date(now).toISOString(),
    ...(input.labels ? { labels: { ...input.labels } } : {}),
    ...(input.topicPolicy ? { topicPolicy: input.topicPolicy } : {}),
    ...(input.quotas ? { quotas: input.quotas } : {}),
    ...(input.backing ? { backing: { username: input.backing.username } } : {}),
    ...(input.aclEnabled ? { aclEnabled: true } : {}),
    ...(input.superUsers?.length ? { superUsers: [...input.superUsers] } : {}),
  };
  return {
    state: { ...state, vclusters: { ...state.vclusters, [vcluster.name]: vcluster }, tenancySince: state.tenancySince ?? vcluster.createdAt },
    events: [{ type: "vcluster-upserted", vcluster, created: true }],
    result: { vcluster, created: true },
  };
}

/**
 * Remove a vcluster with its service accounts. Its tokens move to the revocation list so that
 * re-creating the same name does not bring them back; all of them, not only those this node's
 * clock thinks are live, since another node's clock may be behind. Backing topics are left alone.
 */
export function deleteVcluster(state: StoreState, name: string, _now: number): Change<VclusterRecord> {
  const vcluster = own(state.vclusters, name);
  if (!vcluster) throw new StoreError("not-found", `vcluster "${name}" does not exist`);
  const { [name]: _removed, ...vclusters } = state.vclusters;
  const serviceAccounts = Object.fromEntries(
    Object.entries(state.serviceAccounts).filter(([, a]) => a.vcluster !== name),
  );
  const tokens: Record<string, IssuedTokenRecord> = {};
  const revokedTokens: Record<string, RevokedTokenRecord> = { ...state.revokedTokens };
  for (const [jti, token] of Object.entries(state.tokens)) {
    if (token.vcluster !== name) tokens[jti] = token;
    else revokedTokens[jti] = { jti, vcluster: name, expiresAt: token.expiresAt };
  }
  const deletedVclusters = { ...state.deletedVclusters, [name]: { name, createdAt: vcluster.createdAt } };
  // Its ACLs go with it: a vcluster created again under the name starts with none.
  const acls = Object.fromEntries(Object.entries(state.acls).filter(([, a]) => a.vcluster !== name));
  return {
    state: { ...state, vclusters, serviceAccounts, tokens, revokedTokens, deletedVclusters, acls },
    events: [{ type: "vcluster-deleted", vcluster }],
    result: vcluster,
  };
}

export interface PutScramAccountInput {
  readonly vcluster: string;
  readonly username: string;
  readonly scram: NonNullable<ServiceAccountRecord["scram"]>;
}

/** Create a SCRAM account, or rotate its credentials (open connections stay, as in Kafka). */
export function putScramAccount(state: StoreState, input: PutScramAccountInput, now: number): Change<ServiceAccountRecord> {
  if (!own(state.vclusters, input.vcluster)) throw new StoreError("not-found", `vcluster "${input.vcluster}" does not exist`);
  const key = serviceAccountKey(input.vcluster, input.username);
  const existing = own(state.serviceAccounts, key);
  const account: ServiceAccountRecord = existing
    ? { ...existing, scram: input.scram }
    : { vcluster: input.vcluster, username: input.username, auth: "scram", createdAt: new Date(now).toISOString(), scram: input.scram };
  return {
    state: { ...state, serviceAccounts: { ...state.serviceAccounts, [key]: account } },
    events: [{ type: "service-account-upserted", account }],
    result: account,
  };
}

/** Remove an account: its SCRAM credentials go, and its tokens are revoked. */
export function deleteServiceAccount(state: StoreState, vcluster: string, username: string): Change<ServiceAccountRecord> {
  const key = serviceAccountKey(vcluster, username);
  const account = own(state.serviceAccounts, key);
  if (!account) throw new StoreError("not-found", `service account "${username}" does not exist in vcluster "${vcluster}"`);
  const { [key]: _removed, ...serviceAccounts } = state.serviceAccounts;
  const revokedTokens: Record<string, RevokedTokenRecord> = { ...state.revokedTokens };
  for (const [jti, token] of Object.entries(state.tokens)) {
    if (token.vcluster === vcluster && token.username === username) revokedTokens[jti] = { jti, vcluster, expiresAt: token.expiresAt };
  }
  return {
    state: { ...state, serviceAccounts, revokedTokens },
    events: [{ type: "service-account-deleted", account }],
    result: account,
  };
}

/** Remember an issued token (for revocation by id) and its service account. */
export function recordIssuedToken(state: StoreState, token: IssuedTokenRecord, now: number): Change {
  if (!own(state.vclusters, token.vcluster)) {
    throw new StoreError("not-found", `vcluster "${token.vcluster}" does not exist`);
  }
  const events: StoreEvent[] = [];
  const key = serviceAccountKey(token.vcluster, token.username);
  let serviceAccounts = state.serviceAccounts;
  if (!own(serviceAccounts, key)) {
    const account = {
      vcluster: token.vcluster,
      username: token.username,
      auth: "token" as const,
      createdAt: new Date(now).toISOString(),
    };
    serviceAccounts = { ...serviceAccounts, [key]: account };
    events.push({ type: "service-account-upserted", account });
  }
  events.push({ type: "token-issued", token });
  return {
    state: { ...state, serviceAccounts, tokens: { ...state.tokens, [token.jti]: token } },
    events,
    result: undefined,
  };
}

/** Revoke a token of `vcluster` by id. Revoking twice is not an error. */
export function revokeToken(state: StoreState, vcluster: string, jti: string): Change<RevokedTokenRecord> {
  const already = own(state.revokedTokens, jti);
  if (already && already.vcluster === vcluster) return unchanged(state, already);
  const token = own(state.tokens, jti);
  if (!token || token.vcluster !== vcluster) {
    throw new StoreError("not-found", `token "${jti}" of vcluster "${vcluster}" does not exist or has expired`);
  }
  const revoked: RevokedTokenRecord = { jti, vcluster, expiresAt: token.expiresAt };
  return {
    state: { ...state, revokedTokens: { ...state.revokedTokens, [jti]: revoked } },
    events: [{ type: "token-revoked", revoked }],
    result: revoked,
  };
}

/**
 * Forget token metadata and revocations well past their expiry: an expired JWT is refused on its
 * own, so keeping them would only grow the store. "Well past" by `CLOCK_SKEW_ALLOWANCE_SECONDS`:
 * with a shared store, what this node forgets every node forgets, including one whose clock is
 * behind and still takes the token as valid. Returns `state` itself when nothing expired.
 */
export function pruneExpired(state: StoreState, now: number): StoreState {
  const nowSeconds = now / 1000 - CLOCK_SKEW_ALLOWANCE_SECONDS;
  const live = <T extends { expiresAt: number }>(records: Readonly<Record<string, T>>) => {
    const entries = Object.entries(records);
    const kept = entries.filter(([, r]) => r.expiresAt > nowSeconds);
    return kept.length === entries.length ? records : Object.fromEntries(kept);
  };
  const tokens = live(state.tokens);
  const revokedTokens = live(state.revokedTokens);
  return tokens === state.tokens && revokedTokens === state.revokedTokens ? state : { ...state, tokens, revokedTokens };
}

/** The ACL settings `input` changes on `existing`, or null when it changes none. */
function aclSettingsChange(existing: VclusterRecord, input: PutVclusterInput): Partial<VclusterRecord> | null {
  const out: { aclEnabled?: boolean; superUsers?: readonly string[] } = {};
  if (input.aclEnabled !== undefined && input.aclEnabled !== (existing.aclEnabled ?? false)) out.aclEnabled = input.aclEnabled;
  if (input.superUsers !== undefined && JSON.stringify(input.superUsers) !== JSON.stringify(existing.superUsers ?? [])) {
    out.superUsers = [...input.superUsers];
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** At most this many ACLs per vcluster: every request's check scans its resource type's (invariant 4). */
const MAX_ACLS_PER_VCLUSTER = 1000;

export type AclCreation = { readonly ok: true } | { readonly ok: false; readonly problem: string };

/**
 * Create ACLs of a vcluster, each on its own (CreateAcls answers per creation). Creating one that
 * exists changes nothing and succeeds, as in Kafka.
 */
export function createAcls(state: StoreState, vcluster: string, bindings: readonly AclBinding[]): Change<AclCreation[]> {
  if (!own(state.vclusters, vcluster)) throw new StoreError("not-found", `vcluster "${vcluster}" does not exist`);
  const acls: Record<string, AclRecord> = { ...state.acls };
  let count = Object.values(state.acls).filter((a) => a.vcluster === vcluster).length;
  const results = bindings.map((b): AclCreation => {
    const problem = aclBindingProblem(b);
    if (problem) return { ok: false, problem };
    const key = aclRecordKey(vcluster, b);
    if (Object.hasOwn(acls, key)) return { ok: true };
    if (count >= MAX_ACLS_PER_VCLUSTER) return { ok: false, problem: `a virtual cluster holds at most ${MAX_ACLS_PER_VCLUSTER} ACLs` };
    acls[key] = { vcluster, ...pickBinding(b) };
    count++;
    return { ok: true };
  });
  if (Object.keys(acls).length === Object.keys(state.acls).length) return unchanged(state, results);
  return { state: { ...state, acls }, events: [{ type: "acls-changed", vcluster }], result: results };
}

/** Delete a vcluster's ACLs matching each filter; per filter, the ACLs it removed. */
export function deleteAcls(state: StoreState, vcluster: string, filters: readonly AclFilter[]): Change<AclRecord[][]> {
  if (!own(state.vclusters, vcluster)) throw new StoreError("not-found", `vcluster "${vcluster}" does not exist`);
  const mine = Object.entries(state.acls).filter(([, a]) => a.vcluster === vcluster);
  const removed = new Set<string>();
  const results = filters.map((f) => {
    const hits = mine.filter(([, a]) => filterMatches(f, a));
    for (const [key] of hits) removed.add(key);
    return hits.map(([, a]) => a);
  });
  if (removed.size === 0) return unchanged(state, results);
  const acls = Object.fromEntries(Object.entries(state.acls).filter(([key]) => !removed.has(key)));
  return { state: { ...state, acls }, events: [{ type: "acls-changed", vcluster }], result: results };
}

function pickBinding(b: AclBinding): AclBinding {
  const { resourceType, resourceName, patternType, principal, host, operation, permissionType } = b;
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType };
}
