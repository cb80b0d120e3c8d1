/** @jsxImportSource hono/jsx */
// The console's views, rendered on the server from the admin API's own JSON answers. JSX escapes
// every string it puts into text or attributes, so tenant-controlled names and labels arrive in
// the browser as text, never as markup.
import type { z } from "zod";
import type { LivePoint } from "../live-stats.ts";
import type { GatewayStatus } from "../routes/gateway-status.ts";
import type { VclusterGroups, VclusterTopics } from "../routes/vcluster-live.ts";
import type { VclusterDetail, VclusterList } from "../schemas.ts";

type Detail = z.infer<typeof VclusterDetail>;
type Listed = z.infer<typeof VclusterList>["vclusters"][number];

const vcHref = (name: string, suffix = "") => `#/vc/${encodeURIComponent(name)}${suffix}`;
const when = (iso: string | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC") : "");

function rate(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined) return "–";
  if (bytesPerSecond >= 1024 * 1024) return `${(bytesPerSecond / (1024 * 1024)).toFixed(2)} MB/s`;
  if (bytesPerSecond >= 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KB/s`;
  return `${bytesPerSecond.toFixed(0)} B/s`;
}

function Labels(props: { labels?: Record<string, string> }) {
  const entries = Object.entries(props.labels ?? {});
  if (entries.length === 0) return <span class="empty">none</span>;
  return <>{entries.map(([k, v]) => <span class="label">{k}={v}</span>)}</>;
}

const labelsText = (labels?: Record<string, string>) => Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join("\n");

export function VclustersView(props: { vclusters: readonly Listed[]; live: ReadonlyMap<string, LivePoint | undefined> }) {
  return (
    <>
      <h1>Virtual clusters</h1>
      <section class="card" aria-labelledby="list-title">
        <h2 id="list-title">{props.vclusters.length} virtual cluster{props.vclusters.length === 1 ? "" : "s"}</h2>
        {props.vclusters.length === 0
          ? <p class="empty">None yet. While the store has never held one, kgate is a transparent proxy; the first one ends that for good.</p>
          : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Created</th>
                  <th scope="col" class="num">Connections</th>
                  <th scope="col" class="num">In</th>
                  <th scope="col" class="num">Out</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.vclusters.map((v) => {
                  const p = props.live.get(v.name);
                  return (
                    <tr data-vcluster={v.name}>
                      <td>
                        <a href={vcHref(v.name)}>{v.name}</a>
                      </td>
                      <td>
                        <code>{v.prefix}</code>
                      </td>
                      <td>
                        <Labels labels={v.labels} />
                      </td>
                      <td>{when(v.createdAt)}</td>
                      <td class="num">{p ? String(p.connections) : "–"}</td>
                      <td class="num">{rate(p?.bytesInPerSecond)}</td>
                      <td class="num">{rate(p?.bytesOutPerSecond)}</td>
                      <td>
                        <button type="button" class="danger" data-action="delete-vcluster" data-vcluster={v.name} aria-label={`Delete ${v.name}`}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
      </section>
      <section class="card" aria-labelledby="create-title">
        <h2 id="create-title">Create a virtual cluster</h2>
        <form data-action="create-vcluster">
          <div class="grid">
            <div class="field">
              <label for="vc-name">Name</label>
              <input id="vc-name" name="name" required pattern="[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?" aria-describedby="vc-name-hint" />
              <span id="vc-name-hint" class="hint">A DNS label: lowercase letters, digits and "-".</span>
            </div>
            <div class="field">
              <label for="vc-prefix">Prefix on the backing cluster</label>
              <input id="vc-prefix" name="prefix" aria-describedby="vc-prefix-hint" />
              <span id="vc-prefix-hint" class="hint">Optional; defaults to the name and a dot. It cannot change later.</span>
            </div>
          </div>
          <div class="field">
            <label for="vc-labels">Labels</label>
            <textarea id="vc-labels" name="labels" aria-describedby="vc-labels-hint"></textarea>
            <span id="vc-labels-hint" class="hint">One key=value per line, e.g. team=payments.</span>
          </div>
          <p class="alert" data-error role="alert"></p>
          <button type="submit">Create</button>
        </form>
      </section>
    </>
  );
}

function LiveSection(props: { name: string }) {
  const stat = (key: string, label: string) => (
    <div class="stat">
      <div class="v" data-stat={key}>–</div>
      <div class="k">{label}</div>
    </div>
  );
  return (
    <section class="card" aria-labelledby="live-title" data-live-vcluster={props.name}>
      <h2 id="live-title">Live</h2>
      <div class="stats">
        {stat("connections", "connections")}
        {stat("in", "in (from clients)")}
        {stat("out", "out (to clients)")}
        {stat("requests", "requests")}
        {stat("produce-fetch", "produce / fetch requests per s")}
        <div class="stat" data-own-errors hidden>
          <div class="v" data-stat="own-errors">–</div>
          <div class="k">errors</div>
        </div>
        {stat("errors", "gateway errors (all vclusters)")}
        <div class="stat" data-throttle hidden>
          <div class="v" data-stat="throttled">–</div>
          <div class="k">throttle time</div>
        </div>
      </div>
      <p class="alert" data-stat="error" role="alert"></p>
      <div class="grid">
        <figure>
          <svg class="chart" data-chart="bytes" viewBox="0 0 600 170" role="img" aria-label="Bytes per second in and out over the last minutes"></svg>
          <figcaption class="hint">
            <span class="legend-in">— in</span> (produce, mostly) and <span class="legend-out">- - out</span> (fetch, mostly), bytes per second
          </figcaption>
        </figure>
        <figure>
          <svg class="chart" data-chart="requests" viewBox="0 0 600 170" role="img" aria-label="Produce and fetch requests per second over the last minutes">
          </svg>
          <figcaption class="hint">
            <span class="legend-in">— produce</span> and <span class="legend-out">- - fetch</span> requests per second
          </figcaption>
        </figure>
      </div>
    </section>
  );
}

const LIFETIMES: [number, string][] = [[3600, "1 hour"], [86400, "1 day"], [0, "default (auth.defaultTokenLifetimeSeconds)"], [7776000, "90 days"], [
  31536000,
  "1 year",
]];

export function VclusterView(props: { v: Detail }) {
  const v = props.v;
  return (
    <>
      <h1>Virtual cluster {v.name}</h1>
      <div class="actions">
        <a href={vcHref(v.name, "/data")}>Topics and groups</a>
        <span aria-hidden="true">·</span>
        <a href="#/">All virtual clusters</a>
        <button type="button" class="danger" data-action="delete-vcluster" data-vcluster={v.name}>Delete {v.name}</button>
      </div>
      <p class="alert" data-error role="alert"></p>
      <LiveSection name={v.name} />
      <div data-result aria-live="polite"></div>
      <div class="grid">
        <section class="card" aria-labelledby="tokens-title">
          <h2 id="tokens-title">Tokens</h2>
          {v.tokens.length === 0 ? <p class="empty">No tokens issued.</p> : (
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Token id</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {v.tokens.map((t) => (
                  <tr data-jti={t.jti}>
                    <td>{t.username}</td>
                    <td>
                      <code>{t.jti}</code>
                    </td>
                    <td>{when(t.expiresAt)}</td>
                    <td>
                      <button
                        type="button"
                        class="danger"
                        data-action="revoke-token"
                        data-vcluster={v.name}
                        data-jti={t.jti}
                        data-username={t.username}
                        aria-label={`Revoke token ${t.jti} of ${t.username}`}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Issue a token</h2>
          <form data-action="issue-token" data-vcluster={v.name} class="inline">
            <div class="field">
              <label for="token-user">User name</label>
              <input id="token-user" name="username" required pattern="[A-Za-z0-9._@+\-]{1,128}" />
            </div>
            <div class="field">
              <label for="token-lifetime">Lifetime</label>
              <select id="token-lifetime" name="lifetimeSeconds">
                {LIFETIMES.map(([s, label]) => <option value={String(s)} selected={s === 0}>{label}</option>)}
              </select>
            </div>
            <div class="field">
              <button type="submit">Issue token</button>
            </div>
            <p class="alert" data-error role="alert"></p>
          </form>
        </section>
        <section class="card" aria-labelledby="accounts-title">
          <h2 id="accounts-title">Service accounts</h2>
          {v.serviceAccounts.length === 0 ? <p class="empty">No service accounts.</p> : (
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {v.serviceAccounts.map((a) => (
                  <tr>
                    <td>{a.username}</td>
                    <td>{a.auth === "scram" ? "SCRAM" : a.auth === "password" ? "static user (config)" : "token"}</td>
                    <td>{when(a.createdAt)}</td>
                    <td>
                      {a.auth === "password" ? null : (
                        <button
                          type="button"
                          class="danger"
                          data-action="delete-account"
                          data-vcluster={v.name}
                          data-username={a.username}
                          aria-label={`Delete service account ${a.username}`}
                        >
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Create a SCRAM account</h2>
          <form data-action="create-account" data-vcluster={v.name} class="inline">
            <div class="field">
              <label for="account-user">User name</label>
              <input id="account-user" name="username" required pattern="[A-Za-z0-9._@+\-]{1,128}" />
            </div>
            <div class="field">
              <button type="submit">Create or rotate</button>
            </div>
            <p class="alert" data-error role="alert"></p>
          </form>
        </section>
      </div>
      <section class="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <dl class="facts">
          <dt>Prefix</dt>
          <dd>
            <code>{v.prefix}</code>
          </dd>
          <dt>Created</dt>
          <dd>{when(v.createdAt)}</dd>
          <dt>Bootstrap</dt>
          <dd>
            <code>{v.bootstrap}</code>
          </dd>
          <dt>Labels</dt>
          <dd>
            <Labels labels={v.labels} />
          </dd>
        </dl>
        <form data-action="update-vcluster" data-vcluster={v.name}>
          <div class="grid">
            <div class="field">
              <label for="edit-labels">Labels</label>
              <textarea id="edit-labels" name="labels" aria-describedby="edit-labels-hint">{labelsText(v.labels)}</textarea>
              <span id="edit-labels-hint" class="hint">One key=value per line; this replaces the labels.</span>
            </div>
            <div class="field">
              <label for="edit-policy">Own topic policy (JSON)</label>
              <textarea id="edit-policy" name="topicPolicy" aria-describedby="edit-policy-hint">
                {v.topicPolicy ? JSON.stringify(v.topicPolicy, null, 2) : ""}
              </textarea>
              <span id="edit-policy-hint" class="hint">Fields given override the config's topicPolicy (null: no limit); empty keeps the current one.</span>
            </div>
          </div>
          <div class="field">
            <span class="legend">Topic policy in force</span>
            <pre>{JSON.stringify(v.effectiveTopicPolicy, null, 2)}</pre>
          </div>
          <p class="alert" data-error role="alert"></p>
          <p class="note" data-saved role="status"></p>
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="card" aria-labelledby="props-title">
        <h2 id="props-title">Example client properties</h2>
        <pre>{v.clientProperties}</pre>
      </section>
    </>
  );
}

type Topics = z.infer<typeof VclusterTopics>;
type Groups = z.infer<typeof VclusterGroups>;

export function TenantDataView(props: { name: string; topics: Topics | { error: string }; groups: Groups | { error: string } }) {
  const { topics, groups } = props;
  return (
    <>
      <h1>Topics and groups of {props.name}</h1>
      <div class="actions">
        <a href={vcHref(props.name)}>Back to {props.name}</a>
        <button type="button" class="secondary" data-action="refresh">Refresh</button>
      </div>
      <p class="hint">As the tenant sees them (without the prefix), read from the backing cluster with kgate's own client.</p>
      <div class="grid">
        <section class="card" aria-labelledby="topics-title">
          <h2 id="topics-title">Topics</h2>
          {"error" in topics ? <p class="alert">{topics.error}</p> : topics.topics.length === 0 ? <p class="empty">No topics.</p> : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col" class="num">Partitions</th>
                  <th scope="col" class="num">Replicas</th>
                </tr>
              </thead>
              <tbody>
                {topics.topics.map((t) => (
                  <tr>
                    <td>{t.name}</td>
                    <td class="num">{String(t.partitions)}</td>
                    <td class="num">{String(t.replicationFactor)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card" aria-labelledby="groups-title">
          <h2 id="groups-title">Consumer groups</h2>
          {"error" in groups ? <p class="alert">{groups.error}</p> : (
            <>
              {groups.groups.length === 0 ? <p class="empty">No groups.</p> : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Group</th>
                      <th scope="col">State</th>
                      <th scope="col">Type</th>
                      <th scope="col" class="num">Coordinator</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.groups.map((g) => (
                      <tr>
                        <td>{g.groupId}</td>
                        <td>{g.state}</td>
                        <td>{g.protocolType || "consumer (KIP-848)"}</td>
                        <td class="num">{String(g.coordinator)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {groups.unreachableBrokers.length > 0 ? <p class="alert">Brokers not answering: {groups.unreachableBrokers.join(", ")}</p> : null}
            </>
          )}
        </section>
      </div>
    </>
  );
}

type Status = z.infer<typeof GatewayStatus>;

const yes = (b: boolean) => (b ? "yes" : "no");

export function GatewayView(props: { s: Status }) {
  const s = props.s;
  const b = s.backing;
  return (
    <>
      <h1>Gateway health</h1>
      <div class="actions">
        <button type="button" class="secondary" data-action="refresh">Refresh</button>
      </div>
      <div class="grid">
        <section class="card wide" aria-labelledby="backing-title">
          <h2 id="backing-title">Backing cluster</h2>
          <p>
            {b.reachable ? <span class="status-ok">reachable</span> : <span class="status-bad">not reachable</span>}
            {b.roundTripMs !== null ? ` · metadata in ${b.roundTripMs} ms` : ""}
          </p>
          {b.error ? <p class="alert">{b.error}</p> : null}
          <dl class="facts">
            <dt>Bootstrap</dt>
            <dd>
              <code>{b.bootstrapServers.join(", ")}</code>
            </dd>
            <dt>Cluster id</dt>
            <dd>
              <code>{b.clusterId ?? "–"}</code>
            </dd>
            <dt>Controller</dt>
            <dd>{b.controllerId === null ? "–" : String(b.controllerId)}</dd>
            <dt>SASL</dt>
            <dd>{b.sasl ?? "none"}</dd>
            <dt>TLS</dt>
            <dd>{yes(b.tls)}</dd>
          </dl>
          <table>
            <thead>
              <tr>
                <th scope="col" class="num">Node</th>
                <th scope="col">Broker</th>
                <th scope="col">Rack</th>
                <th scope="col">Served by kgate at</th>
              </tr>
            </thead>
            <tbody>
              {b.brokers.map((x) => (
                <tr>
                  <td class="num">{String(x.nodeId)}</td>
                  <td>
                    <code>{x.host}:{String(x.port)}</code>
                  </td>
                  <td>{x.rack ?? "–"}</td>
                  <td>
                    <code>{x.kgateAddress}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card" aria-labelledby="listeners-title">
          <h2 id="listeners-title">Listeners</h2>
          <dl class="facts">
            <dt>Kafka bootstrap</dt>
            <dd>
              <code>{s.listener.bootstrap}</code>
            </dd>
            <dt>Advertised host</dt>
            <dd>
              <code>{s.listener.advertisedHost}</code>
            </dd>
            <dt>Broker ports</dt>
            <dd>{s.listener.brokerPorts}</dd>
            <dt>TLS</dt>
            <dd>{yes(s.listener.tls)}{s.listener.tls ? ` (client certificates: ${s.listener.clientAuth})` : ""}</dd>
            <dt>SNI domain</dt>
            <dd>{s.listener.sni ?? "–"}</dd>
            <dt>Anonymous view</dt>
            <dd>{s.listener.anonymous ?? "none"}</dd>
            <dt>Pinned vcluster</dt>
            <dd>{s.listener.pinnedVcluster ?? "none"}</dd>
            <dt>Admin API</dt>
            <dd>
              <code>{s.admin.address}</code>
              {s.admin.tls ? " (HTTPS)" : ""}
            </dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="store-title">
          <h2 id="store-title">Store</h2>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{s.store.type}</dd>
            <dt>Where</dt>
            <dd>
              <code>{s.store.location}</code>
            </dd>
            <dt>Virtual clusters</dt>
            <dd>{String(s.store.vclusters)}</dd>
            <dt>Tenancy began</dt>
            <dd>{s.tenancyBegan ? "yes" : "no (transparent proxy until the first vcluster)"}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="build-title">
          <h2 id="build-title">This kgate</h2>
          <dl class="facts">
            <dt>Version</dt>
            <dd>{s.version} ({s.commit})</dd>
            <dt>Runtime</dt>
            <dd>{s.runtime}</dd>
            <dt>Up for</dt>
            <dd>{String(s.uptimeSeconds)} s</dd>
          </dl>
        </section>
      </div>
    </>
  );
}
