// Who a SASL/OAUTHBEARER client is: the holder of an access token from kgate's own token
// endpoint (then its service account, vcluster and revocation list must still agree), or of a
// token from a configured external issuer. Refusal reasons are for the log only.
import { decodeJwt } from "jose";
import type { StateStore } from "../store/state-store.ts";
import { PASSTHROUGH } from "../model/prefix-rules.ts";
import type { ExternalIssuers } from "./oauth-external-issuers.ts";
import { KGATE_OAUTH_ISSUER, type KgateAccessTokens } from "./oauth-kgate-tokens.ts";

export type BearerAuthentication =
  | {
    readonly ok: true;
    readonly vcluster: string;
    readonly username: string;
    readonly via: "oauth" | "oauth-external";
    readonly tokenId?: string;
    /** ms since the epoch: the SASL session ends with the token. */
    readonly expiresAt: number;
  }
  | { readonly ok: false; readonly reason: string };

export type BearerAuthenticator = (token: string) => Promise<BearerAuthentication>;

export interface BearerAuthenticatorDeps {
  readonly store: Pick<StateStore, "getVcluster" | "isTokenRevoked" | "listServiceAccounts">;
  readonly kgateTokens: KgateAccessTokens;
  readonly external: ExternalIssuers;
  readonly clock: () => number;
}

export function createBearerAuthenticator(deps: BearerAuthenticatorDeps): BearerAuthenticator {
  return async (token) => {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return { ok: false, reason: "token is not a JWT" };
    }
    const now = deps.clock();
    if (iss !== KGATE_OAUTH_ISSUER) {
      const verified = await deps.external.verify(token, now);
      if (!verified.ok) return verified;
      const { issuer, username, vcluster, tokenId, expiresAt } = verified;
      // A claim names a vcluster of the store, never the passthrough view (the whole backing
      // cluster), which only an operator's config can grant (invariant 1).
      if (vcluster === PASSTHROUGH) return { ok: false, reason: `token of ${issuer} for "${username}" names the passthrough view` };
      if (!deps.store.getVcluster(vcluster)) return { ok: false, reason: `token of ${issuer} for "${username}" names missing vcluster "${vcluster}"` };
      return { ok: true, vcluster, username, via: "oauth-external", tokenId, expiresAt };
    }

    const verified = await deps.kgateTokens.verify(token, now);
    if (!verified.ok) return { ok: false, reason: `kgate access token refused: ${verified.reason}` };
    const { sub, vcluster, jti, iat, exp } = verified.claims;
    if (deps.store.isTokenRevoked(jti)) return { ok: false, reason: `kgate access token ${jti} of "${sub}" was revoked` };
    const record = deps.store.getVcluster(vcluster);
    if (!record) return { ok: false, reason: `kgate access token of "${sub}" names missing vcluster "${vcluster}"` };
    // Issued for an earlier vcluster of the same name (invariant 2: by state, not by moment).
    if (iat < Math.floor(Date.parse(record.createdAt) / 1000)) return { ok: false, reason: `kgate access token of "${sub}" predates vcluster "${vcluster}"` };
    const account = deps.store.listServiceAccounts(vcluster).find((a) => a.username === sub);
    if (!account?.scram) return { ok: false, reason: `kgate access token of "${sub}": the service account no longer exists in ${vcluster}` };
    return { ok: true, vcluster, username: sub, via: "oauth", tokenId: jti, expiresAt: exp * 1000 };
  };
}
