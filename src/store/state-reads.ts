// The read side every store shares: synchronous views of one in-memory `StoreState`. A store
// keeps its state however it likes (a snapshot, a log it follows) and answers reads through this.
import { type AclRecord, EMPTY_STATE, type IssuedTokenRecord, own, type ServiceAccountRecord, type StoreState, type VclusterRecord } from "./records.ts";
import type { StateStore } from "./state-store.ts";

type StateReads = Pick<
  StateStore,
  "listVclusters" | "getVcluster" | "listServiceAccounts" | "listTokens" | "isTokenRevoked" | "tenancyBegan" | "listAcls"
>;

/** Implements the reads of `StateStore` over `state`, which subclasses replace as it changes. */
export abstract class StateReader implements StateReads {
  protected state: StoreState = EMPTY_STATE;
  /** The ACLs of `aclsOf` grouped by vcluster, rebuilt when the state's ACLs change. */
  private aclsByVcluster = new Map<string, readonly AclRecord[]>();
  private aclsOf: StoreState["acls"] | undefined;

  protected constructor(protected readonly clock: () => number) {}

  listVclusters(): VclusterRecord[] {
    return Object.values(this.state.vclusters).sort((a, b) => a.name.localeCompare(b.name));
  }

  getVcluster(name: string): VclusterRecord | undefined {
    return own(this.state.vclusters, name);
  }

  listServiceAccounts(vcluster: string): ServiceAccountRecord[] {
    return Object.values(this.state.serviceAccounts)
      .filter((a) => a.vcluster === vcluster)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  listTokens(vcluster: string): IssuedTokenRecord[] {
    const nowSeconds = this.clock() / 1000;
    return Object.values(this.state.tokens).filter(
      (t) => t.vcluster === vcluster && t.expiresAt > nowSeconds && !this.isTokenRevoked(t.jti),
    );
  }

  listAcls(vcluster: string): readonly AclRecord[] {
    if (this.aclsOf !== this.state.acls) {
      const grouped = new Map<string, AclRecord[]>();
      for (const acl of Object.values(this.state.acls)) {
        const list = grouped.get(acl.vcluster);
        if (list) list.push(acl);
        else grouped.set(acl.vcluster, [acl]);
      }
      this.aclsByVcluster = grouped;
      this.aclsOf = this.state.acls;
    }
    return this.aclsByVcluster.get(vcluster) ?? NO_ACLS;
  }

  isTokenRevoked(jti: string): boolean {
    return Object.hasOwn(this.state.revokedTokens, jti);
  }

  /** A store that ever held a vcluster stays tenanted (stores from before the marker: any vcluster). */
  tenancyBegan(): boolean {
    return this.state.tenancySince !== undefined || Object.keys(this.state.vclusters).length > 0;
  }
}

const NO_ACLS: readonly AclRecord[] = Object.freeze([]);
