import type { IssuedTokenRecord, RevokedTokenRecord, ServiceAccountRecord, VclusterRecord } from "./records.ts";

/**
 * Emitted after a change is durable, for local and (with a shared store) remote changes alike.
 * The data plane binds new vclusters and drops sessions of deleted ones or revoked tokens.
 */
export type StoreEvent =
  | { readonly type: "vcluster-upserted"; readonly vcluster: VclusterRecord; readonly created: boolean }
  | { readonly type: "vcluster-deleted"; readonly vcluster: VclusterRecord }
  | { readonly type: "service-account-upserted"; readonly account: ServiceAccountRecord }
  | { readonly type: "service-account-deleted"; readonly account: ServiceAccountRecord }
  | { readonly type: "token-issued"; readonly token: IssuedTokenRecord }
  | { readonly type: "token-revoked"; readonly revoked: RevokedTokenRecord }
  | { readonly type: "acls-changed"; readonly vcluster: string };

export type StoreListener = (event: StoreEvent) => void;
