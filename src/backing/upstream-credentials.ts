// Which backing login a vcluster connection's upstream uses: the vcluster's own principal when it
// has backing ACLs, kgate's otherwise (undefined). Fails closed: a vcluster that is gone or was
// re-created since the connection bound to it gets no backing connection at all.
import type { SaslCredentials } from "../client/sasl-login.ts";
import type { VclusterRecord } from "../store/records.ts";
import type { TenantCredentials } from "./tenant-credentials.ts";

export function upstreamCredentialsFor(
  vclusterOf: (name: string) => VclusterRecord | undefined,
  credentials: TenantCredentials,
): (vcluster: string, generation: string | undefined) => Promise<SaslCredentials | undefined> {
  return async (name, generation) => {
    const v = vclusterOf(name);
    if (!v || v.createdAt !== generation) throw new Error(`vcluster ${name} was deleted or re-created`);
    return await credentials.credentialsFor(v);
  };
}
