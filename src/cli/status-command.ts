// `kgate status`: one table of a running kgate's vclusters with their open connections and bytes
// in and out, from the admin API's vcluster list and `/metrics` (no route of its own to keep).
import type { AdminClient } from "./admin-client.ts";
import { formatTable } from "../base/format-table.ts";
import { parsePrometheusText, type Sample } from "./prometheus-text.ts";

export interface VclusterStatus {
  readonly vcluster: string;
  readonly connections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Bytes per second over `--interval`, when one was given. */
  readonly bytesInPerSecond?: number;
  readonly bytesOutPerSecond?: number;
}

export interface GatewayStatus {
  /** From kgate_build_info; absent for a kgate that does not export it. */
  readonly build?: { readonly version: string; readonly commit: string; readonly runtime: string };
  readonly vclusters: VclusterStatus[];
}

/**
 * Every vcluster of the store, plus any other view with traffic ("passthrough", and
 * "unauthenticated" for connections that have not logged in yet), in that order.
 */
function gatewayStatus(vclusterNames: readonly string[], metricsText: string): GatewayStatus {
  const samples = parsePrometheusText(metricsText);
  const byView = (name: string) => {
    const totals = new Map<string, number>();
    for (const s of samples) {
      if (s.name === name && s.labels.vcluster !== undefined) totals.set(s.labels.vcluster, (totals.get(s.labels.vcluster) ?? 0) + s.value);
    }
    return totals;
  };
  const connections = byView("kgate_connections");
  const bytesIn = byView("kgate_bytes_in_total");
  const bytesOut = byView("kgate_bytes_out_total");
  const others = [...new Set([...connections.keys(), ...bytesIn.keys(), ...bytesOut.keys()])]
    .filter((v) => !vclusterNames.includes(v))
    .sort();
  const vclusters = [...vclusterNames, ...others].map((vcluster) => ({
    vcluster,
    connections: connections.get(vcluster) ?? 0,
    bytesIn: bytesIn.get(vcluster) ?? 0,
    bytesOut: bytesOut.get(vcluster) ?? 0,
  }));
  const info: Sample | undefined = samples.find((s) => s.name === "kgate_build_info");
  const build = info ? { version: info.labels.version ?? "?", commit: info.labels.commit ?? "?", runtime: info.labels.runtime ?? "?" } : undefined;
  return { build, vclusters };
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 1536 → "1.5 KiB": a table is read by people; `--json` keeps the exact counts. */
function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * The later status with each row's byte rates since the earlier one; a view absent from the
 * earlier sample (a vcluster created in between) counts from zero.
 */
function withRates(earlier: GatewayStatus, later: GatewayStatus, seconds: number): GatewayStatus {
  const before = new Map(earlier.vclusters.map((v) => [v.vcluster, v]));
  const rate = (now: number, then = 0) => Math.max(0, now - then) / seconds;
  return {
    ...later,
    vclusters: later.vclusters.map((v) => ({
      ...v,
      bytesInPerSecond: rate(v.bytesIn, before.get(v.vcluster)?.bytesIn),
      bytesOutPerSecond: rate(v.bytesOut, before.get(v.vcluster)?.bytesOut),
    })),
  };
}

export function formatStatus(status: GatewayStatus): string {
  const open = status.vclusters.reduce((n, v) => n + v.connections, 0);
  const build = status.build ? `kgate ${status.build.version} (${status.build.commit}) on ${status.build.runtime}` : "kgate";
  const rates = status.vclusters.some((v) => v.bytesInPerSecond !== undefined);
  const perSecond = (n = 0) => `${formatBytes(Math.round(n))}/s`;
  const rows = [["VCLUSTER", "CONNECTIONS", "BYTES IN", "BYTES OUT", ...(rates ? ["IN/S", "OUT/S"] : [])]].concat(
    status.vclusters.map((v) => [
      v.vcluster,
      String(v.connections),
      formatBytes(v.bytesIn),
      formatBytes(v.bytesOut),
      ...(rates ? [perSecond(v.bytesInPerSecond), perSecond(v.bytesOutPerSecond)] : []),
    ]),
  );
  return `${build}: ${open} open connection${open === 1 ? "" : "s"}\n\n${formatTable(rows)}`;
}

export async function fetchStatus(client: AdminClient): Promise<GatewayStatus> {
  const [{ vclusters }, metrics] = await Promise.all([client.listVclusters(), client.metricsText()]);
  return gatewayStatus(vclusters.map((v) => v.name), metrics);
}

/** Two samples `seconds` apart: the counters are totals since start, a rate needs a difference. */
export async function fetchStatusWithRates(client: AdminClient, seconds: number): Promise<GatewayStatus> {
  const earlier = await fetchStatus(client);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const later = await fetchStatus(client);
  return withRates(earlier, later, (Date.now() - started) / 1000);
}
