// Every store change as a pure function (state, input, now) → (next state, events). Store
// backends only decide where the result is persisted; the rules live here once.
import { StoreError } from "./errors.ts";
import type { StoreEvent } from "./events.ts";
import {
  defaultPrefix,
  findPrefixConflict,
  isReservedVclusterName,
  isValidVclusterName,
  prefixSyntaxProblem,
  VCLUSTER_NAME_PATTERN,
} from "./prefix-rules.ts";
import {
  type IssuedTokenRecord,
  own,
  type RevokedTokenRecord,
  type SecretName,
  serviceAccountKey,
  type StoreState,
  type VclusterRecord,
} from "./records.ts";

export interface Change<T = void> {
  readonly state: StoreState;
  readonly events: readonly StoreEvent[];
  readonly result: T;
}

export interface PutVclusterInput {
  readonly name: string;
  readonly prefix?: string;
  readonly labels?: Readonly<Record<string, string>>;
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

export function checkVclusterName(name: string): void {
  if (!isValidVclusterName(name)) {
    throw new StoreError("invalid", `vcluster name "${name}" must be a DNS label matching ${VCLUSTER_NAME_PATTERN.source}`);
  }
  if (isReservedVclusterName(name)) {
    throw new StoreError("conflict", `vcluster name "${name}" is reserved for the built-in transparent view`);
  }
}

/** Create, or update the labels of, a vcluster. Its prefix is fixed once created. */
export function putVcluster(state: StoreState, input: PutVclusterInput, now: number): Change<PutVclusterResult> {
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
    if (input.labels === undefined || sameLabels(input.labels, existing.labels)) {
      return unchanged(state, { vcluster: existing, created: false });
    }
    const vcluster: VclusterRecord = { ...existing, labels: { ...input.labels } };
    return {
      state: { ...state, vclusters: { ...state.vclusters, [vcluster.name]: vcluster } },
      events: [{ type: "vcluster-upserted", vcluster, created: false }],
      result: { vcluster, created: false },
    };
  }

  const prefix = input.prefix ?? defaultPrefix(input.name);
  const syntax = prefixSyntaxProblem(prefix);
  if (syntax) throw new StoreError("invalid", syntax);
  const conflict = findPrefixConflict(input.name, prefix, Object.values(state.vclusters));
  if (conflict) throw new StoreError("conflict", conflict.reason);

  const vcluster: VclusterRecord = {
    name: input.name,
    prefix,
    createdAt: new Date(now).toISOString(),
    ...(input.labels ? { labels: { ...input.labels } } : {}),
  };
  return {
    state: { ...state, vclusters: { ...state.vclusters, [vcluster.name]: vcluster }, tenancySince: state.tenancySince ?? vcluster.createdAt },
    events: [{ type: "vcluster-upserted", vcluster, created: true }],
    result: { vcluster, created: true },
  };
}

/**
 * Remove a vcluster with its service accounts. Its live tokens move to the revocation list so
 * that re-creating the same name does not bring them back. Backing topics are left alone.
 */
export function deleteVcluster(state: StoreState, name: string, now: number): Change<VclusterRecord> {
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
    else if (token.expiresAt * 1000 > now) revokedTokens[jti] = { jti, vcluster: name, expiresAt: token.expiresAt };
  }
  return {
    state: { ...state, vclusters, serviceAccounts, tokens, revokedTokens },
    events: [{ type: "vcluster-deleted", vcluster }],
    result: vcluster,
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

/** Keep the first value ever generated for a secret; later calls return it unchanged. */
export function ensureSecret(state: StoreState, name: SecretName, generate: () => string): Change<string> {
  const existing = state.secrets[name];
  if (existing) return unchanged(state, existing);
  const value = generate();
  return { state: { ...state, secrets: { ...state.secrets, [name]: value } }, events: [], result: value };
}

/**
 * Forget token metadata and revocations past their expiry: an expired JWT is refused on its
 * own, so keeping them would only grow the store. Returns `state` itself when nothing expired.
 */
export function pruneExpired(state: StoreState, now: number): StoreState {
  const nowSeconds = now / 1000;
  const live = <T extends { expiresAt: number }>(records: Readonly<Record<string, T>>) => {
    const entries = Object.entries(records);
    const kept = entries.filter(([, r]) => r.expiresAt > nowSeconds);
    return kept.length === entries.length ? records : Object.fromEntries(kept);
  };
  const tokens = live(state.tokens);
  const revokedTokens = live(state.revokedTokens);
  return tokens === state.tokens && revokedTokens === state.revokedTokens ? state : { ...state, tokens, revokedTokens };
}
