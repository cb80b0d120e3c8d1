/** @jsxImportSource hono/jsx */
// The web console at /ui on the admin listener. The page itself is open and holds no data; each
// view is fetched by the page's script with the admin token and rendered here from the admin
// API's own answers (called in-process with the caller's Authorization header, so the API's
// checks and logic apply unchanged). Changes go from the script to the API directly.
import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { VERSION } from "../../base/version.ts";
import type { AdminDeps } from "../deps.ts";
import type { LivePoint } from "../live-stats.ts";
import type { AdminApp } from "../routes/common.ts";
import type { GatewayStatus } from "../routes/gateway-status.ts";
import type { VclusterGroups, VclusterLive, VclusterTopics } from "../routes/vcluster-live.ts";
import type { VclusterDetail, VclusterList } from "../schemas.ts";
import { consoleClient } from "./client-script.ts";
import { ConsolePage } from "./page.tsx";
import { CONSOLE_CSS } from "./styles.ts";
import { GatewayView, TenantDataView, VclustersView, VclusterView } from "./views.tsx";

const CONSOLE_PATH = "/ui";
/** Paths of the console that need no token: the page (login form, no data). */
export const CONSOLE_OPEN_PATHS = [CONSOLE_PATH, `${CONSOLE_PATH}/`] as const;

const SCRIPT = `(${consoleClient.toString()})();`;

async function sha256Source(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

let policy: Promise<string> | undefined;
/**
 * Only the page's own script and stylesheet run (by hash); data goes to this origin only; no
 * framing, no form posts, no plugins, no base tag tricks.
 */
export function contentSecurityPolicy(): Promise<string> {
  return (policy ??= Promise.all([sha256Source(SCRIPT), sha256Source(CONSOLE_CSS)]).then(([script, style]) =>
    [
      "default-src 'none'",
      `script-src ${script}`,
      `style-src ${style}`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; ")
  ));
}

const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Content-Security-Policy", await contentSecurityPolicy());
  c.header("X-Frame-Options", "DENY");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
};

const IDLE: LivePoint = {
  at: 0,
  connections: 0,
  bytesInPerSecond: 0,
  bytesOutPerSecond: 0,
  requestsPerSecond: 0,
  produceRequestsPerSecond: 0,
  fetchRequestsPerSecond: 0,
  gatewayErrorsPerSecond: 0,
  errorsPerSecond: null,
  throttleMsPerSecond: null,
};

type ApiResult<T> = { ok: true; body: T } | { ok: false; status: number; error: string };

export function registerConsoleRoutes(app: AdminApp, _deps: AdminDeps): void {
  /** The admin API's answer to a GET, as the console's caller (same Authorization header). */
  const apiGet = async <T,>(c: Context, path: string): Promise<ApiResult<T>> => {
    const res = await app.request(path, { headers: { authorization: c.req.header("authorization") ?? "" } });
    const body = (await res.json().catch(() => ({}))) as T & { error?: string };
    return res.ok ? { ok: true, body } : { ok: false, status: res.status, error: body.error ?? `${res.status}` };
  };
  const failed = (c: Context, r: { status: number; error: string }) =>
    // The API's own 4xx (no such vcluster, a bad name) as it is; anything else is a failed dependency.
    c.html(
      <>
        <h1>Not available</h1>
        <p class="alert">{r.error}</p>
        <p>
          <a href="#/">All virtual clusters</a>
        </p>
      </>,
      r.status === 400 || r.status === 404 ? r.status : 502,
    );

  app.use(CONSOLE_PATH, securityHeaders);
  app.use(`${CONSOLE_PATH}/*`, securityHeaders);

  const page = (c: Context) => c.html(`<!doctype html>${String(<ConsolePage css={CONSOLE_CSS} script={SCRIPT} version={VERSION} />)}`);
  app.get(CONSOLE_PATH, page);
  app.get(`${CONSOLE_PATH}/`, page);

  app.get(`${CONSOLE_PATH}/views/vclusters`, async (c) => {
    const list = await apiGet<z.infer<typeof VclusterList>>(c, "/v1/vclusters");
    if (!list.ok) return failed(c, list);
    const live = new Map<string, LivePoint | undefined>();
    await Promise.all(list.body.vclusters.map(async (v) => {
      const r = await apiGet<z.infer<typeof VclusterLive>>(c, `/v1/vclusters/${encodeURIComponent(v.name)}/live`);
      // No point yet (created a moment ago): no series in the metrics, so nothing is open.
      live.set(v.name, r.ok ? r.body.points.at(-1) ?? (r.body.intervalMs > 0 ? IDLE : undefined) : undefined);
    }));
    return c.html(<VclustersView vclusters={list.body.vclusters} live={live} />);
  });

  app.get(`${CONSOLE_PATH}/views/vclusters/:name`, async (c) => {
    const detail = await apiGet<z.infer<typeof VclusterDetail>>(c, `/v1/vclusters/${encodeURIComponent(c.req.param("name"))}`);
    if (!detail.ok) return failed(c, detail);
    return c.html(<VclusterView v={detail.body} />);
  });

  app.get(`${CONSOLE_PATH}/views/vclusters/:name/data`, async (c) => {
    const name = c.req.param("name");
    const path = `/v1/vclusters/${encodeURIComponent(name)}`;
    const [topics, groups] = await Promise.all([
      apiGet<z.infer<typeof VclusterTopics>>(c, `${path}/topics`),
      apiGet<z.infer<typeof VclusterGroups>>(c, `${path}/groups`),
    ]);
    if (!topics.ok && topics.status === 404) return failed(c, topics);
    return c.html(
      <TenantDataView
        name={name}
        topics={topics.ok ? topics.body : { error: topics.error }}
        groups={groups.ok ? groups.body : { error: groups.error }}
      />,
    );
  });

  app.get(`${CONSOLE_PATH}/views/gateway`, async (c) => {
    const status = await apiGet<z.infer<typeof GatewayStatus>>(c, "/v1/gateway");
    if (!status.ok) return failed(c, status);
    return c.html(<GatewayView s={status.body} />);
  });
}
