// Creates and removes a vcluster's principal on the backing cluster: its SCRAM credential
// (AlterUserScramCredentials) and its prefixed ACLs (CreateAcls / DeleteAcls), with kgate's own
// client logged in as kgate's backing principal (which needs ALTER on the cluster). Every step
// is idempotent, so a failed call can simply be repeated.
import { createAcls, deleteAclsOf, describeAclsOf } from "../client/acl-ops.ts";
import type { AclBinding } from "../model/acl-model.ts";
import { KafkaConnection } from "../client/kafka-connection.ts";
import { KafkaError } from "../client/kafka-errors.ts";
import { type SaslCredentials, SaslLoginError } from "../client/sasl-login.ts";
import { deleteScramCredential, upsertScramCredential } from "../client/scram-ops.ts";
import type { BackingAddress } from "../gateway/broker-directory.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import type { VclusterRecord } from "../store/records.ts";
import { tenantAclBindings } from "./tenant-acls.ts";
import { BACKING_MECHANISM, BACKING_SCRAM_ITERATIONS, backingPrincipal, type TenantCredentials } from "./tenant-credentials.ts";

const SECURITY_DISABLED = 54;
const CLUSTER_AUTHORIZATION_FAILED = 31;
const UNSUPPORTED_VERSION = 35;

/** A provisioning step failed; `status` is the admin API's answer (409: the cluster cannot, 502: it did not). */
export class BackingAclError extends Error {
  override name = "BackingAclError";
  constructor(readonly status: 409 | 502, message: string) {
    super(message);
  }
}

export interface BackingProvisionerOptions {
  runtime: Runtime;
  bootstrap: readonly BackingAddress[];
  /** kgate's own backing login (`backing.sasl`); without one there is no SASL listener to give tenants. */
  sasl?: SaslCredentials;
  tls?: TlsClientOptions;
  credentials: TenantCredentials;
  /** Bounds each connection and request (`limits.backingTimeoutMs`), and the wait for a new credential to work. */
  timeoutMs: number;
}

type Vcluster = Pick<VclusterRecord, "name" | "prefix" | "createdAt" | "backing">;

export class BackingProvisioner {
  constructor(private readonly options: BackingProvisionerOptions) {}

  /** Why backing ACLs cannot be used with this config, or null. */
  configProblem(): string | null {
    if (!this.options.sasl) {
      return "backing ACLs need kgate to log in to the backing cluster with SASL (backing.sasl): its tenants' principals log in on that listener with SCRAM-SHA-512";
    }
    return null;
  }

  /** The ACLs the vcluster's principal gets. */
  bindingsFor(v: Vcluster): AclBinding[] {
    return tenantAclBindings(backingPrincipal(this.username(v)), v.prefix);
  }

  /**
   * Creates the ACLs, sets the credential, then checks that the principal can log in. ACLs
   * first: a cluster without an authorizer refuses them before any credential exists.
   */
  async provision(v: Vcluster): Promise<void> {
    const username = this.username(v);
    const credentials = await this.options.credentials.credentialsFor(v)!;
    await this.withAdmin(`creating the backing principal of ${v.name}`, async (conn) => {
      await createAcls(conn, this.bindingsFor(v));
      await upsertScramCredential(conn, username, BACKING_MECHANISM, credentials.password, BACKING_SCRAM_ITERATIONS);
    });
    await this.awaitLogin(credentials);
  }

  /**
   * Removes the credential (no more logins), then the ACLs; what is already gone is no error,
   * and a cluster without an authorizer holds no ACLs to remove.
   */
  async remove(v: Vcluster): Promise<number> {
    const username = this.username(v);
    return await this.withAdmin(`removing the backing principal of ${v.name}`, async (conn) => {
      await deleteScramCredential(conn, username, BACKING_MECHANISM);
      try {
        return await deleteAclsOf(conn, backingPrincipal(username));
      } catch (e) {
        if (e instanceof KafkaError && e.code === SECURITY_DISABLED) return 0;
        throw e;
      }
    });
  }

  /** The ACLs the backing cluster holds for the vcluster's principal (for checks and tests). */
  async describe(v: Vcluster): Promise<AclBinding[]> {
    return await this.withAdmin(`describing the backing ACLs of ${v.name}`, (conn) => describeAclsOf(conn, backingPrincipal(this.username(v))));
  }

  private username(v: Vcluster): string {
    if (!v.backing) throw new Error(`vcluster ${v.name} has no backing ACLs`);
    return v.backing.username;
  }

  /**
   * A new credential reaches every broker through the metadata log, so a broker may refuse it
   * for a moment: log in until it works or the timeout has passed.
   */
  private async awaitLogin(credentials: SaslCredentials): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (let delay = 100;; delay = Math.min(delay * 2, 1000)) {
      try {
        const conn = await this.open(credentials);
        conn.close();
        return;
      } catch (e) {
        if (!(e instanceof SaslLoginError) || Date.now() + delay > deadline) {
          throw new BackingAclError(
            502,
            `the backing cluster refused a login as ${credentials.username} with its new credential ` +
              `(is ${BACKING_MECHANISM} enabled on the backing SASL listener?): ${(e as Error).message}`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private async withAdmin<T>(what: string, work: (conn: KafkaConnection) => Promise<T>): Promise<T> {
    const problem = this.configProblem();
    if (problem) throw new BackingAclError(409, problem);
    let conn: KafkaConnection;
    try {
      conn = await this.open(this.options.sasl!);
    } catch (e) {
      throw new BackingAclError(502, `${what}: cannot reach the backing cluster: ${(e as Error).message}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BackingAclError(502, `${what}: no answer from the backing cluster within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
    });
    try {
      return await Promise.race([work(conn), timeout]);
    } catch (e) {
      throw explainBackingFailure(what, e);
    } finally {
      clearTimeout(timer);
      conn.close();
    }
  }

  private open(sasl: SaslCredentials): Promise<KafkaConnection> {
    const { runtime, bootstrap, tls, timeoutMs } = this.options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const opening = KafkaConnection.open(runtime, bootstrap, { sasl, tls, clientId: "kgate-backing-acls" });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    });
    // A connection that opens after the timeout is closed, not leaked.
    opening.then((c) => timer === undefined && c.close(), () => {});
    return Promise.race([opening, timeout]).finally(() => {
      clearTimeout(timer);
      timer = undefined;
    });
  }
}

/** The broker's refusal in the operator's words. */
export function explainBackingFailure(what: string, e: unknown): Error {
  if (e instanceof BackingAclError) return e;
  if (e instanceof KafkaError) {
    if (e.code === SECURITY_DISABLED) {
      return new BackingAclError(409, `${what}: the backing cluster has no authorizer (authorizer.class.name), so it cannot hold ACLs (SECURITY_DISABLED)`);
    }
    if (e.code === CLUSTER_AUTHORIZATION_FAILED) {
      return new BackingAclError(
        502,
        `${what}: kgate's backing principal may not manage ACLs and SCRAM credentials; it needs ALTER on the cluster (${e.message})`,
      );
    }
    if (e.code === UNSUPPORTED_VERSION) return new BackingAclError(502, `${what}: the backing cluster does not support it (${e.message})`);
    return new BackingAclError(502, `${what}: ${e.message}`);
  }
  return new BackingAclError(502, `${what}: ${(e as Error).message}`);
}
