// The console's only script, inlined into the page (allowed by its hash in the CSP). It keeps the
// admin token in sessionStorage, fetches server-rendered views with it, and calls the admin API
// for every change. It never puts a string into HTML: API data goes in with textContent, and the
// views it inserts are the server's JSX output, where every tenant string is already escaped.
//
// Written as a function so that it is type-checked with the rest; it must stay self-contained
// (no imports, no outer names), since it runs from its source text.

/* eslint-disable */
export function consoleClient(): void {
  const TOKEN_KEY = "kgate.adminToken";
  const $ = <T extends Element>(selector: string, root: ParentNode = document): T | null => root.querySelector<T>(selector);
  const loginSection = $<HTMLElement>("#login")!;
  const appShell = $<HTMLElement>("#app")!;
  const view = $<HTMLElement>("#view")!;
  const announcer = $<HTMLElement>("#announce")!;
  let liveTimer: ReturnType<typeof setTimeout> | null = null;
  let routeSeq = 0;

  const token = () => sessionStorage.getItem(TOKEN_KEY);
  const authHeaders = (): Record<string, string> => ({ authorization: `Bearer ${token() ?? ""}` });

  function announce(text: string): void {
    announcer.textContent = "";
    announcer.textContent = text;
  }

  function showLogin(message: string): void {
    stopLive();
    routeSeq++; // a view still loading must not appear after this
    view.replaceChildren(); // nothing of the last view stays in the page,
    announcer.textContent = ""; // nor in the last announcement or the title
    document.title = "kgate console";
    appShell.hidden = true;
    loginSection.hidden = false;
    $<HTMLElement>("#login-error")!.textContent = message;
    $<HTMLInputElement>("#login-token")!.focus();
  }

  /** An API call with the token; resolves with the parsed body, throws an Error with the reasons. */
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: { ...authHeaders(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin("The admin token was refused; log in again.");
      throw new Error("admin token refused");
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = (parsed ?? {}) as { error?: string; issues?: { path: (string | number)[]; message: string }[] };
      const lines = [e.error ?? `${res.status} ${res.statusText}`];
      for (const issue of e.issues ?? []) lines.push(`${issue.path.join(".") || "body"}: ${issue.message}`);
      throw new Error(lines.join("\n"));
    }
    return parsed as T;
  }

  function fragmentPath(hash: string): { path: string; nav: string } {
    const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
    if (parts[0] === "health") return { path: "/ui/views/gateway", nav: "health" };
    if (parts[0] === "vc" && parts[1]) {
      const name = encodeURIComponent(parts[1]);
      return parts[2] === "data" ? { path: `/ui/views/vclusters/${name}/data`, nav: "vclusters" } : { path: `/ui/views/vclusters/${name}`, nav: "vclusters" };
    }
    return { path: "/ui/views/vclusters", nav: "vclusters" };
  }

  async function route(focus = true): Promise<void> {
    if (!token()) return showLogin("");
    loginSection.hidden = true;
    appShell.hidden = false;
    stopLive();
    const seq = ++routeSeq;
    const { path, nav } = fragmentPath(location.hash);
    for (const a of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
      if (a.dataset.nav === nav) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    const viewError = $<HTMLElement>("#view-error")!;
    let res: Response;
    try {
      res = await fetch(path, { headers: authHeaders() });
    } catch {
      if (seq === routeSeq) viewError.textContent = "kgate's admin listener did not answer; is kgate running?";
      return;
    }
    if (seq !== routeSeq) return;
    viewError.textContent = "";
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      return showLogin("The admin token was refused; log in again.");
    }
    const html = await res.text();
    // The server's rendering, not API data: parsed inert (scripts never run from it, and the CSP
    // would block them), then moved into the page.
    const doc = new DOMParser().parseFromString(html, "text/html");
    view.replaceChildren(...Array.from(doc.body.childNodes));
    const heading = $<HTMLElement>("h1", view);
    if (heading) {
      document.title = `${heading.textContent ?? ""} · kgate console`;
      heading.tabIndex = -1;
      if (focus) heading.focus();
    }
    const live = $<HTMLElement>("[data-live-vcluster]", view);
    if (live) startLive(live, live.dataset.liveVcluster!);
  }

  // ---- live view ----

  interface LivePoint {
    at: number;
    connections: number;
    bytesInPerSecond: number;
    bytesOutPerSecond: number;
    requestsPerSecond: number;
    produceRequestsPerSecond: number;
    fetchRequestsPerSecond: number;
    gatewayErrorsPerSecond: number;
    errorsPerSecond: number | null;
    throttleMsPerSecond: number | null;
  }

  function stopLive(): void {
    if (liveTimer !== null) clearTimeout(liveTimer);
    liveTimer = null;
  }

  function formatRate(bytesPerSecond: number): string {
    if (bytesPerSecond >= 1024 * 1024) return `${(bytesPerSecond / (1024 * 1024)).toFixed(2)} MB/s`;
    if (bytesPerSecond >= 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KB/s`;
    return `${bytesPerSecond.toFixed(0)} B/s`;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svgEl(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /** Two series on one chart; numbers only reach the SVG, as attribute values and text. */
  function drawChart(
    svg: SVGSVGElement,
    points: LivePoint[],
    a: (p: LivePoint) => number,
    b: (p: LivePoint) => number,
    unit: (v: number) => string,
    windowMs: number,
  ): void {
    const W = 600, H = 170, L = 70, R = 10, T = 10, B = 22;
    const now = points.length ? points[points.length - 1]!.at : Date.now();
    const max = Math.max(1, ...points.map(a), ...points.map(b));
    const x = (at: number) => L + ((at - (now - windowMs)) / windowMs) * (W - L - R);
    const y = (v: number) => T + (1 - v / max) * (H - T - B);
    const children: SVGElement[] = [];
    for (const f of [0, 0.5, 1]) {
      children.push(svgEl("line", { class: "grid-line", x1: L, x2: W - R, y1: y(max * f), y2: y(max * f) }));
      children.push(svgEl("text", { class: "axis", x: L - 6, y: y(max * f) + 4, "text-anchor": "end" }, unit(max * f)));
    }
    const ago = windowMs >= 120_000 ? `${Math.round(windowMs / 60000)} min ago` : `${Math.round(windowMs / 1000)} s ago`;
    children.push(svgEl("text", { class: "axis", x: L, y: H - 6 }, ago));
    children.push(svgEl("text", { class: "axis", x: W - R, y: H - 6, "text-anchor": "end" }, "now"));
    const line = (f: (p: LivePoint) => number, cls: string) =>
      svgEl("polyline", {
        class: cls,
        points: points.filter((p) => p.at >= now - windowMs).map((p) => `${x(p.at).toFixed(1)},${y(f(p)).toFixed(1)}`).join(" "),
      });
    children.push(line(a, "s-in"), line(b, "s-out"));
    svg.replaceChildren(...children);
  }

  function setStat(root: HTMLElement, key: string, text: string): void {
    const el = $<HTMLElement>(`[data-stat="${key}"]`, root);
    if (el) el.textContent = text;
  }

  function startLive(root: HTMLElement, vcluster: string): void {
    const tick = async () => {
      let data: { intervalMs: number; points: LivePoint[] };
      try {
        data = await api("GET", `/v1/vclusters/${encodeURIComponent(vcluster)}/live`);
      } catch (e) {
        setStat(root, "error", (e as Error).message);
        liveTimer = setTimeout(tick, 5000);
        return;
      }
      if (!root.isConnected) return;
      const points = data.points;
      const last = points[points.length - 1];
      setStat(root, "error", "");
      setStat(root, "connections", last ? String(last.connections) : "–");
      setStat(root, "in", last ? formatRate(last.bytesInPerSecond) : "–");
      setStat(root, "out", last ? formatRate(last.bytesOutPerSecond) : "–");
      setStat(root, "requests", last ? `${last.requestsPerSecond.toFixed(1)}/s` : "–");
      setStat(root, "produce-fetch", last ? `${last.produceRequestsPerSecond.toFixed(1)} / ${last.fetchRequestsPerSecond.toFixed(1)}` : "–");
      setStat(root, "errors", last ? `${last.gatewayErrorsPerSecond.toFixed(2)}/s` : "–");
      const ownErrors = $<HTMLElement>("[data-own-errors]", root);
      if (ownErrors) ownErrors.hidden = !last || last.errorsPerSecond === null;
      setStat(root, "own-errors", last && last.errorsPerSecond !== null ? `${last.errorsPerSecond.toFixed(2)}/s` : "–");
      const throttle = $<HTMLElement>("[data-throttle]", root);
      if (throttle) throttle.hidden = !last || last.throttleMsPerSecond === null;
      setStat(root, "throttled", last && last.throttleMsPerSecond !== null ? `${last.throttleMsPerSecond.toFixed(0)} ms/s` : "–");
      // From half a minute up to what is kept (five minutes by default), so a fresh history fills the chart.
      const span = points.length > 1 ? points[points.length - 1]!.at - points[0]!.at : 0;
      const windowMs = Math.min(Math.max(30_000, span), Math.max(30_000, data.intervalMs * 150));
      const bytesChart = $<SVGSVGElement>("svg[data-chart=bytes]", root);
      const reqChart = $<SVGSVGElement>("svg[data-chart=requests]", root);
      if (bytesChart) drawChart(bytesChart, points, (p) => p.bytesInPerSecond, (p) => p.bytesOutPerSecond, formatRate, windowMs);
      if (reqChart) {
        drawChart(reqChart, points, (p) => p.produceRequestsPerSecond, (p) => p.fetchRequestsPerSecond, (v) => `${v.toFixed(v < 10 ? 1 : 0)}/s`, windowMs);
      }
      root.dataset.points = String(points.length);
      liveTimer = setTimeout(tick, Math.max(1000, data.intervalMs || 2000));
    };
    void tick();
  }

  // ---- results shown once (tokens, passwords, client properties) ----

  function showResult(slot: HTMLElement, title: string, facts: [string, string][], properties: string, filename: string): void {
    const card = document.createElement("section");
    card.className = "card result";
    card.setAttribute("aria-labelledby", "result-title");
    const h = document.createElement("h2");
    h.id = "result-title";
    h.textContent = title;
    h.tabIndex = -1;
    const dl = document.createElement("dl");
    dl.className = "facts";
    for (const [k, v] of facts) {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.className = "mono";
      dd.textContent = v;
      dl.append(dt, dd);
    }
    const pre = document.createElement("pre");
    pre.id = "client-properties";
    pre.tabIndex = 0;
    pre.setAttribute("aria-label", "client properties");
    pre.textContent = properties;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "secondary";
    copy.textContent = "Copy properties";
    copy.addEventListener("click", () => {
      navigator.clipboard?.writeText(properties).then(() => announce("Copied"), () => announce("Copy failed; select the text instead"));
    });
    const download = document.createElement("button");
    download.type = "button";
    download.className = "secondary";
    download.textContent = `Download ${filename}`;
    download.addEventListener("click", () => {
      const url = URL.createObjectURL(new Blob([properties], { type: "text/plain" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
    const note = document.createElement("p");
    note.className = "hint";
    note.textContent = "Shown once: kgate keeps no copy of the secret.";
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(copy, download);
    card.append(h, dl, pre, actions, note);
    slot.replaceChildren(card);
    h.focus();
  }

  // ---- forms and buttons ----

  function parseLabels(text: string): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const eq = line.indexOf("=");
      if (eq < 1) throw new Error(`labels: "${line}" is not key=value`);
      labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    return labels;
  }

  const field = (form: HTMLFormElement, name: string) =>
    (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null)?.value ?? "";

  async function submitForm(form: HTMLFormElement): Promise<void> {
    const vc = form.dataset.vcluster ?? "";
    const path = (suffix = "") => `/v1/vclusters/${encodeURIComponent(vc)}${suffix}`;
    switch (form.dataset.action) {
      case "login": {
        const value = field(form, "token").trim();
        if (!value) throw new Error("Enter the admin token.");
        sessionStorage.setItem(TOKEN_KEY, value);
        const ok = await fetch("/v1/vclusters", { headers: authHeaders() });
        if (ok.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          throw new Error("That token was refused.");
        }
        form.reset();
        await route();
        return;
      }
      case "create-vcluster": {
        const name = field(form, "name").trim();
        const prefix = field(form, "prefix").trim();
        const labels = parseLabels(field(form, "labels"));
        await api("PUT", `/v1/vclusters/${encodeURIComponent(name)}`, {
          ...(prefix ? { prefix } : {}),
          ...(Object.keys(labels).length ? { labels } : {}),
        });
        announce(`Created ${name}`);
        location.hash = `#/vc/${encodeURIComponent(name)}`;
        return;
      }
      case "update-vcluster": {
        const policyText = field(form, "topicPolicy").trim();
        let topicPolicy: unknown = undefined;
        if (policyText) {
          try {
            topicPolicy = JSON.parse(policyText);
          } catch {
            throw new Error("topic policy: not valid JSON");
          }
        }
        await api("PUT", path(), { labels: parseLabels(field(form, "labels")), ...(topicPolicy === undefined ? {} : { topicPolicy }) });
        await route(false);
        announce("Saved");
        const note = $<HTMLElement>("[data-saved]", view);
        if (note) note.textContent = "Saved.";
        return;
      }
      case "issue-token": {
        const username = field(form, "username").trim();
        const lifetime = Number(field(form, "lifetimeSeconds"));
        const issued = await api<{ token: string; jti: string; expiresAt: string; clientProperties: string }>("POST", path("/tokens"), {
          username,
          ...(lifetime > 0 ? { lifetimeSeconds: lifetime } : {}),
        });
        await route(false);
        const slot = $<HTMLElement>("[data-result]", view);
        if (slot) {
          showResult(
            slot,
            `Token for ${username}`,
            [["token id", issued.jti], ["expires", issued.expiresAt], ["token", issued.token]],
            issued.clientProperties,
            `${vc}-${username}.properties`,
          );
        }
        return;
      }
      case "create-account": {
        const username = field(form, "username").trim();
        const created = await api<{ login: string; password?: string; clientProperties: string; rotated: boolean }>("POST", path("/service-accounts"), {
          username,
        });
        await route(false);
        const slot = $<HTMLElement>("[data-result]", view);
        if (slot) {
          showResult(
            slot,
            `${created.rotated ? "Rotated" : "Created"} SCRAM account ${created.login}`,
            [["login", created.login], ["password", created.password ?? "(the one you gave)"]],
            created.clientProperties,
            `${vc}-${username}.properties`,
          );
        }
        return;
      }
    }
  }

  async function clickAction(button: HTMLButtonElement): Promise<void> {
    const d = button.dataset;
    const vc = encodeURIComponent(d.vcluster ?? "");
    switch (d.action) {
      case "logout":
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin("Logged out.");
        return;
      case "delete-vcluster":
        if (!confirm(`Delete virtual cluster ${d.vcluster}? Its tokens stop working at once; its topics stay on the backing cluster.`)) return;
        await api("DELETE", `/v1/vclusters/${vc}`);
        announce(`Deleted ${d.vcluster}`);
        if (location.hash === "" || location.hash === "#/") await route();
        else location.hash = "#/";
        return;
      case "revoke-token":
        if (!confirm(`Revoke token ${d.jti} of ${d.username}? Its connections close at once.`)) return;
        await api("DELETE", `/v1/vclusters/${vc}/tokens/${encodeURIComponent(d.jti ?? "")}`);
        await route(false);
        announce(`Revoked token ${d.jti}`);
        return;
      case "delete-account":
        if (!confirm(`Delete service account ${d.username}? Its connections close at once.`)) return;
        await api("DELETE", `/v1/vclusters/${vc}/service-accounts/${encodeURIComponent(d.username ?? "")}`);
        await route(false);
        announce(`Deleted ${d.username}`);
        return;
      case "refresh":
        await route(false);
        return;
    }
  }

  function errorSlot(near: Element): HTMLElement | null {
    const form = near.closest("form, section, main");
    return form ? $<HTMLElement>("[data-error]", form) ?? $<HTMLElement>("#view-error") : null;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target as HTMLFormElement;
    if (!form.dataset.action) return;
    event.preventDefault();
    const slot = errorSlot(form);
    if (slot) slot.textContent = "";
    const buttons = Array.from(form.querySelectorAll("button"));
    for (const b of buttons) b.disabled = true;
    submitForm(form)
      .catch((e: Error) => {
        if (slot) slot.textContent = e.message;
        announce(e.message);
      })
      .finally(() => {
        for (const b of buttons) b.disabled = false;
      });
  });

  document.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    if (!button || button.type === "submit") return;
    const slot = errorSlot(button);
    if (slot) slot.textContent = "";
    clickAction(button).catch((e: Error) => {
      if (slot) slot.textContent = e.message;
      announce(e.message);
    });
  });

  // deno-lint-ignore no-window no-window-prefix -- this runs in the browser, not in Deno
  window.addEventListener("hashchange", () => void route());
  void route(false);
}
