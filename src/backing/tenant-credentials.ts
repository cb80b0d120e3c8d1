// Per-vcluster credentials on the backing cluster (defence in depth): the SCRAM user kgate logs
// in as upstream for a vcluster's clients when the vcluster has backing ACLs.
//
// The password is never stored (SECURITY.md, "the state is not a key ring"): it is derived as
// HMAC-SHA-256(secret, label ‖ user ‖ vcluster ‖ createdAt), where the secret is
// `backing.credentialSecret` or else `auth.tokenSecret`. So every kgate node sharing a store
// (which must share `auth.tokenSecret` already) derives the same password, a reader of the state
// topic or store file learns nothing that logs in, and a re-created vcluster (a new createdAt)
// gets a new password: the old incarnation's can no longer log in once kgate re-provisions.
import type { SaslCredentials } from "../client/sasl-login.ts";
import { encoder } from "../sasl/scram-primitives.ts";
import { backingUsername } from "../model/prefix-rules.ts";
import type { VclusterRecord } from "../store/records.ts";
import { encodeBase64Url } from "../auth/base64url.ts";

/** The backing user's name: `kgate-vc-<vcluster>` (a DNS label, so always a valid SCRAM name). */
export { backingUsername };
/** SCRAM-SHA-512 on the backing cluster's SASL listener, like Kafka's own recommendation. */
export const BACKING_MECHANISM = "SCRAM-SHA-512" as const;
/**
 * Kafka's minimum. The password is 256 bits of HMAC output, so PBKDF2's stretching adds nothing
 * against guessing it; fewer iterations keep kgate's upstream logins cheap.
 */
export const BACKING_SCRAM_ITERATIONS = 4096;
const LABEL = "kgate backing credential v1";

/** The Kafka principal the backing cluster's ACLs name. */
export function backingPrincipal(username: string): string {
  return `User:${username}`;
}

export type BackingVcluster = Pick<VclusterRecord, "name" | "createdAt"> & { readonly backing?: { readonly username: string } };

/** Derives (and caches per incarnation) the upstream credentials of vclusters with backing ACLs. */
export class TenantCredentials {
  private readonly key: Promise<CryptoKey>;
  private readonly cache = new Map<string, Promise<SaslCredentials>>();

  constructor(secret: string) {
    this.key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }

  /** The vcluster's backing credentials; undefined for a vcluster without backing ACLs. */
  credentialsFor(v: BackingVcluster): Promise<SaslCredentials> | undefined {
    const username = v.backing?.username;
    if (username === undefined) return undefined;
    const id = `${username}\n${v.name}\n${v.createdAt}`;
    let found = this.cache.get(id);
    if (!found) {
      found = this.derive(id).then((password) => ({ mechanism: BACKING_MECHANISM, username, password }));
      // Bounded: one entry per incarnation seen; a busy store of many vclusters stays small anyway.
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(id, found);
    }
    return found;
  }

  private async derive(id: string): Promise<string> {
    const mac = await crypto.subtle.sign("HMAC", await this.key, encoder.encode(`${LABEL}\n${id}`));
    return encodeBase64Url(new Uint8Array(mac));
  }
}
