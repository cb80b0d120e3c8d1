// The backing-ACL steps of PUT and DELETE /v1/vclusters/{name}: which backing user a request
// asks for, creating its credential and ACLs after the store write, removing them before the
// store delete. Failures are 409 (this setup cannot have backing ACLs) or 502 (the backing
// cluster refused or did not answer), each with the reason.
import { HTTPException } from "hono/http-exception";
import { BackingAclError } from "../../backing/provisioner.ts";
import { backingUsername } from "../../backing/tenant-credentials.ts";
import type { VclusterRecord } from "../../store/records.ts";
import type { AdminDeps } from "../deps.ts";

function refused(status: 409 | 502, message: string): HTTPException {
  return new HTTPException(status, { message });
}

/**
 * The `backing` to store for `backingAcls`: undefined when not asked for. Backing ACLs are fixed
 * at creation, so a vcluster that exists with them cannot be asked to drop them (and the store
 * refuses the reverse).
 */
export async function backingRequested(deps: AdminDeps, name: string, backingAcls: boolean | undefined): Promise<VclusterRecord["backing"]> {
  const existing = deps.store.getVcluster(name);
  if (backingAcls === false && existing?.backing) {
    throw refused(409, `vcluster "${name}" has backing ACLs; that is fixed at creation (delete and re-create instead)`);
  }
  if (!backingAcls) return undefined;
  const problem = deps.backingAcls ? deps.backingAcls.configProblem() : "backing ACLs are not available in this kgate";
  if (problem) throw refused(409, problem);
  return { username: backingUsername(name) };
}

/**
 * Creates (or repairs: every step is idempotent) the vcluster's backing principal. A vcluster
 * created by this request is deleted again when that fails, so "created" means "protected".
 */
export async function provisionBacking(deps: AdminDeps, vcluster: VclusterRecord, created: boolean): Promise<void> {
  try {
    await deps.backingAcls!.provision(vcluster);
  } catch (e) {
    const status = e instanceof BackingAclError ? e.status : 502;
    if (!created) throw refused(status, `${(e as Error).message}; PUT again with "backingAcls": true to retry`);
    await deps.backingAcls!.remove(vcluster).catch(() => {});
    await deps.store.deleteVcluster(vcluster.name).catch(() => {});
    throw refused(status, `${(e as Error).message}; the vcluster was not created`);
  }
}

/** Removes the vcluster's backing principal before the vcluster itself; if that fails, the vcluster stays. */
export async function removeBacking(deps: AdminDeps, vcluster: VclusterRecord | undefined): Promise<void> {
  if (!vcluster?.backing) return;
  if (!deps.backingAcls) throw refused(409, `vcluster "${vcluster.name}" has backing ACLs, but this kgate cannot manage them`);
  try {
    await deps.backingAcls.remove(vcluster);
  } catch (e) {
    const status = e instanceof BackingAclError ? e.status : 502;
    throw refused(status, `${(e as Error).message}; the vcluster was not deleted (DELETE again to retry)`);
  }
}
