// OAuth 2 token endpoint (RFC 6749 §4.4, client_credentials) on the admin listener, so a Kafka
// client's standard `sasl.oauthbearer.token.endpoint.url` gets kgate access tokens for
// SASL/OAUTHBEARER with no custom code. Clients are not admins: this path needs no admin token;
// it is guarded like a login instead (failed attempts answered after the failed-login delay, a
// bound on concurrent checks, and the same answer whether or not an account exists).
import type { Context } from "hono";
import { clientSecretMatches } from "../../auth/oauth-client-credentials.ts";
import { getLogger } from "../../base/log.ts";
import type { AdminDeps } from "../deps.ts";
import { limitBody } from "../middleware.ts";
import type { AdminApp } from "./common.ts";

export const OAUTH_TOKEN_PATH = "/oauth/token";
/** A token request is a few short form fields. */
const MAX_BODY_BYTES = 8192;
/** Each check costs a PBKDF2 derivation: a flood of them must not take the admin listener's CPU. */
const MAX_CONCURRENT_CHECKS = 8;

const log = getLogger("admin.oauth");

type OAuthError = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "temporarily_unavailable";

function oauthError(c: Context, status: 400 | 401 | 429, error: OAuthError, description: string): Response {
  c.header("Cache-Control", "no-store");
  if (status === 401) c.header("WWW-Authenticate", 'Basic realm="kgate"');
  if (status === 429) c.header("Retry-After", "1");
  return c.json({ error, error_description: description }, status);
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded inside the Basic credentials. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

function basicCredentials(header: string): { id: string; secret: string } | null | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(match[1]!), (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

export function registerOAuthTokenRoute(app: AdminApp, deps: AdminDeps): void {
  const oauth = deps.oauth;
  if (!oauth) return;
  let checking = 0;
  const delay = () => new Promise((resolve) => setTimeout(resolve, deps.config.limits.failedAuthenticationDelayMs));

  app.post(OAUTH_TOKEN_PATH, limitBody(MAX_BODY_BYTES), async (c) => {
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return oauthError(c, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(await c.req.text());
    for (const key of new Set(form.keys())) {
      if (form.getAll(key).length > 1) return oauthError(c, 400, "invalid_request", `parameter ${key} is repeated`);
    }
    const grant = form.get("grant_type");
    if (grant !== "client_credentials") {
      return oauthError(c, 400, grant === null ? "invalid_request" : "unsupported_grant_type", "grant_type must be client_credentials");
    }
    const authorization = c.req.header("authorization");
    const fromForm = form.has("client_id") || form.has("client_secret");
    if (authorization !== undefined && fromForm) return oauthError(c, 400, "invalid_request", "give the client credentials once: Basic or form fields");
    const creds = authorization !== undefined
      ? basicCredentials(authorization)
      : fromForm
      ? { id: form.get("client_id") ?? "", secret: form.get("client_secret") ?? "" }
      : null;
    if (!creds || creds.id === "" || creds.secret === "") {
      return oauthError(c, 401, "invalid_client", "client authentication required (HTTP Basic or client_id and client_secret)");
    }
    if (checking >= MAX_CONCURRENT_CHECKS) return oauthError(c, 429, "temporarily_unavailable", "too many token requests at once");
    checking++;
    let account;
    let matches: boolean;
    try {
      account = oauth.clientAccount(creds.id);
      matches = await clientSecretMatches(account, creds.secret, deps.config.auth.scramIterations);
    } finally {
      checking--;
    }
    if (!account || !matches) {
      log.info("token request for {login} refused: {reason}", {
        login: JSON.stringify(creds.id.slice(0, 200)),
        reason: account ? "wrong client secret" : "no such service account",
      });
      await delay();
      return oauthError(c, 401, "invalid_client", "client authentication failed");
    }
    const { token, claims } = await oauth.tokens.issue({
      username: account.username,
      vcluster: account.vcluster,
      lifetimeSeconds: deps.config.auth.oauth.tokenLifetimeSeconds,
      now: deps.clock(),
    });
    // Recorded like the admin API's tokens: revocable by id, revoked with its account or vcluster.
    await deps.store.recordIssuedToken({
      jti: claims.jti,
      vcluster: account.vcluster,
      username: account.username,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
    });
    log.info("issued access token {jti} to {username} of {vcluster}", { jti: claims.jti, username: account.username, vcluster: account.vcluster });
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    return c.json({ access_token: token, token_type: "Bearer", expires_in: claims.exp - claims.iat, scope: claims.scope }, 200);
  });
}
