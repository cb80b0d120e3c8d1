// The web console in a real browser (Debian's headless Chromium driven by playwright-core) against
// kgate under Bun, Deno and the binary, with the real broker and a real producer (kafkajs): log
// in, create a vcluster, issue a token, see the producer's throughput in the live view, revoke
// the token and see its connections drop. Screenshots go to .tmp/console-*.png.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { type Browser, chromium, type Page } from "playwright-core";
import { kafkaBootstrap, REPO_ROOT } from "../support/kafka.ts";
import { adminCall, binaryAvailable, type KgateProcess, type KgateRuntime, startKgate, waitForLog } from "../support/kgate-process.ts";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(REPO_ROOT, ".tmp");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const why = `console browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`;
  // CI installs it (.ci/run): there a missing browser is a failure, not a skip.
  if (process.env.CI === "true") throw new Error(why);
  console.warn(`${why}; skipped`);
}

const runtimes: KgateRuntime[] = ["bun", "deno", ...(binaryAvailable() ? ["binary" as const] : [])];
const XSS_LABEL = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

/** Sends batches of ~64 KiB until stopped; counts what was acknowledged and the first error. */
function keepProducing(producer: Producer, topic: string) {
  const state = { running: true, acked: 0, error: null as Error | null, done: Promise.resolve() };
  const value = "x".repeat(4096);
  state.done = (async () => {
    while (state.running) {
      try {
        await producer.send({ topic, acks: 1, messages: Array.from({ length: 16 }, (_, i) => ({ key: String(i), value })) });
        state.acked += 16;
      } catch (e) {
        state.error ??= e as Error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  return state;
}

async function statText(page: Page, key: string): Promise<string> {
  return (await page.locator(`[data-stat="${key}"]`).first().textContent()) ?? "";
}

async function waitForStat(page: Page, key: string, ok: (text: string) => boolean, ms = 30_000): Promise<string> {
  let text = "";
  for (const end = Date.now() + ms; Date.now() < end;) {
    text = await statText(page, key);
    if (ok(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`live stat ${key} stayed "${text}"`);
}

describe.skipIf(!haveChromium)("web console in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const kgateRuntime of runtimes) {
    describe(kgateRuntime, () => {
      let kgate: KgateProcess;
      const suffix = `${kgateRuntime}-${crypto.randomUUID().slice(0, 6)}`;
      const vcluster = `vc-ui-${suffix}`;

      beforeAll(async () => {
        kgate = await startKgate({ runtime: kgateRuntime, backing: await kafkaBootstrap() });
      });
      afterAll(async () => {
        await kgate?.stop();
      });

      test("without the token: only the login page, and every view and API call is refused", async () => {
        const secret = `vc-secret-${suffix}`;
        await adminCall(kgate, "PUT", `/v1/vclusters/${secret}`, { labels: { owner: "hidden-label" } });
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        // The 401s this test asks for are logged too; a CSP violation would be a bug.
        page.on("console", (m) => /Content Security Policy|Refused to/.test(m.text()) && errors.push(m.text()));
        const res = await page.goto(`${kgate.adminUrl}/ui`);
        expect(res!.headers()["x-frame-options"]).toBe("DENY");
        expect(res!.headers()["content-security-policy"]).toContain("script-src 'sha256-");
        await expect(page.locator("#login-token").isVisible()).resolves.toBe(true);
        expect(await page.locator("#app").isHidden()).toBe(true);
        const html = await page.content();
        expect(html).not.toContain(secret);
        expect(html).not.toContain("hidden-label");
        for (const path of ["/ui/views/vclusters", `/ui/views/vclusters/${secret}`, "/ui/views/gateway", "/v1/vclusters", `/v1/vclusters/${secret}/live`]) {
          const status = await page.evaluate(async (p) => (await fetch(p)).status, path);
          expect([path, status]).toEqual([path, 401]);
          const wrong = await page.evaluate(async (p) => (await fetch(p, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status, path);
          expect([path, wrong]).toEqual([path, 401]);
        }
        await page.fill("#login-token", "wrong-token-0123456789");
        await page.keyboard.press("Enter");
        await page.locator("#login-error", { hasText: "refused" }).waitFor();
        expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
        await page.screenshot({ path: join(SHOTS, `console-${kgateRuntime}-login.png`) });
        expect(errors).toEqual([]);
        await page.close();
        await adminCall(kgate, "DELETE", `/v1/vclusters/${secret}`);
      }, 60_000);

      test("log in, create a vcluster, issue a token, watch a producer, revoke it and see its connections drop", async () => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        // The one refused request is the bad topic policy below; any other (a 401: a view fetched
        // without the token, the favicon) is a bug, and so is any console error.
        const refused: string[] = [];
        page.on("console", (m) => m.type() === "error" && !/status of 400/.test(m.text()) && errors.push(m.text()));
        page.on("response", (r) => r.status() >= 400 && refused.push(`${r.status()} ${r.request().method()} ${r.url()}`));
        page.on("dialog", (d) => void d.accept());
        await page.goto(`${kgate.adminUrl}/ui`);
        // Keyboard only: the token field has focus, Enter logs in.
        await page.keyboard.type(kgate.adminToken);
        await page.keyboard.press("Enter");
        await page.locator("h1", { hasText: "Virtual clusters" }).waitFor();
        expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([1, 0, ""]);

        await page.getByLabel("Name", { exact: true }).fill(vcluster);
        await page.getByLabel("Labels").fill(`team=payments\nnote=${XSS_LABEL}`);
        await page.getByLabel("Name", { exact: true }).press("Enter"); // submits, as a form does
        await page.locator("h1", { hasText: `Virtual cluster ${vcluster}` }).waitFor();
        // Focus moves to the new view's heading, for keyboard and screen-reader users.
        expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
        // The label arrives as text: shown verbatim, nothing ran, no element came from it.
        await expect(page.locator(".label", { hasText: "note=" }).textContent()).resolves.toBe(`note=${XSS_LABEL}`);
        expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
        expect(await page.locator("#view script, #view img").count()).toBe(0);
        expect((await adminCall<{ labels: Record<string, string> }>(kgate, "GET", `/v1/vclusters/${vcluster}`)).labels).toEqual({
          team: "payments",
          note: XSS_LABEL,
        });

        // A change the API refuses shows the API's reasons; a good one is saved.
        await page.getByLabel("Own topic policy (JSON)").fill('{"noSuchKey": 1}');
        await page.getByRole("button", { name: "Save" }).click();
        await page.locator('form[data-action="update-vcluster"] [data-error]', { hasText: "noSuchKey" }).waitFor();
        await page.getByLabel("Own topic policy (JSON)").fill('{"maxPartitionsPerTopic": 3}');
        await page.getByRole("button", { name: "Save" }).click();
        await page.locator("[data-saved]", { hasText: "Saved" }).waitFor();
        expect((await adminCall<{ topicPolicy: unknown }>(kgate, "GET", `/v1/vclusters/${vcluster}`)).topicPolicy).toEqual({ maxPartitionsPerTopic: 3 });

        await page.getByLabel("User name").nth(1).fill("ui-scram");
        await page.getByRole("button", { name: "Create or rotate" }).click();
        await page.locator("#result-title", { hasText: `Created SCRAM account ui-scram@${vcluster}` }).waitFor();
        expect(await page.locator("#client-properties").textContent()).toContain("sasl.mechanism=SCRAM-SHA-512\n");

        await page.getByLabel("User name").first().fill("ui-producer");
        await page.getByRole("button", { name: "Issue token" }).click();
        await page.locator("#result-title", { hasText: "Token for ui-producer" }).waitFor();
        const properties = (await page.locator("#client-properties").textContent())!;
        expect(properties).toContain(`bootstrap.servers=${kgate.bootstrap}\n`);
        const token = /username="ui-producer" password="([^"]+)"/.exec(properties)?.[1];
        expect(token).toBeString();
        const jti = (await adminCall<{ tokens: { jti: string }[] }>(kgate, "GET", `/v1/vclusters/${vcluster}`)).tokens[0]!.jti;
        await page.screenshot({ path: join(SHOTS, `console-${kgateRuntime}-token.png`), fullPage: true });

        const kafka = new Kafka({
          clientId: "ui-load",
          brokers: [kgate.bootstrap],
          sasl: { mechanism: "plain", username: "ui-producer", password: token! },
          logLevel: logLevel.NOTHING,
          retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
        });
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: "ui-load", numPartitions: 1 }], waitForLeaders: true });
        await admin.disconnect();
        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        const load = keepProducing(producer, "ui-load");
        try {
          await waitForStat(page, "in", (t) => /(KB|MB)\/s$/.test(t));
          const connections = Number(await waitForStat(page, "connections", (t) => Number(t) >= 1));
          expect(connections).toBeGreaterThanOrEqual(1);
          await waitForStat(page, "produce-fetch", (t) => Number(t.split(" / ")[0]) > 0);
          // Let the chart draw a few points before the picture.
          await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("[data-live-vcluster]")?.dataset.points ?? 0) >= 8, undefined, {
            timeout: 30_000,
          });
          await page.screenshot({ path: join(SHOTS, `console-${kgateRuntime}-live.png`) });
          expect(load.acked).toBeGreaterThan(0);
          const points = await page.locator("svg[data-chart=bytes] polyline.s-in").getAttribute("points");
          expect(points!.split(" ").length).toBeGreaterThanOrEqual(2);

          // The list shows each vcluster's connections and throughput: where a noisy tenant stands out.
          for (const [name, team] of [["search", "search"], ["billing", "payments"]]) {
            await adminCall(kgate, "PUT", `/v1/vclusters/vc-${name}-${suffix}`, { labels: { team, env: "prod" } });
          }
          await page.getByRole("link", { name: "Virtual clusters", exact: true }).click();
          const row = page.locator(`tr[data-vcluster="${vcluster}"]`);
          await row.waitFor();
          expect(Number(await row.locator("td.num").first().textContent())).toBeGreaterThanOrEqual(1);
          await expect(row.locator("td.num").nth(1).textContent()).resolves.toMatch(/(KB|MB)\/s$/);
          await page.screenshot({ path: join(SHOTS, `console-${kgateRuntime}-list.png`) });
          await row.getByRole("link", { name: vcluster }).click();
          await page.locator("#live-title").waitFor();

          await page.getByRole("button", { name: `Revoke token ${jti} of ui-producer` }).click();
          await page.locator(`tr[data-jti="${jti}"]`).waitFor({ state: "detached" });
          expect(await waitForLog(kgate, `token ${jti} was revoked`, 10_000)).toContain(`token ${jti} was revoked`);
          await waitForStat(page, "connections", (t) => t === "0");
          const ackedAtRevocation = load.acked;
          await page.waitForTimeout(1500);
          // Nothing more gets through with the revoked token.
          expect(load.acked - ackedAtRevocation).toBeLessThanOrEqual(16);
          await page.screenshot({ path: join(SHOTS, `console-${kgateRuntime}-revoked.png`) });
        } finally {
          load.running = false;
          await load.done;
          await producer.disconnect().catch(() => {});
        }

        await page.getByRole("link", { name: "Topics and groups" }).click();
        await page.locator("h1", { hasText: `Topics and groups of ${vcluster}` }).waitFor();
        const topicRow = page.locator("#topics-title + table tbody tr", { hasText: "ui-load" });
        await expect(topicRow.locator("td").first().textContent()).resolves.toBe("ui-load");

        await page.getByRole("link", { name: "Gateway health" }).click();
        await page.locator("h1", { hasText: "Gateway health" }).waitFor();
        await page.locator(".status-ok", { hasText: "reachable" }).waitFor();
        expect(await page.locator("#build-title + dl").textContent()).toContain(kgateRuntime === "binary" ? "bun" : kgateRuntime);
        await page.screenshot({ path: join(SHOTS, `console-${kgateRuntime}-health.png`), fullPage: true });

        await page.getByRole("link", { name: "Virtual clusters", exact: true }).click();
        await page.getByRole("button", { name: `Delete ${vcluster}` }).click();
        await page.locator(`tr[data-vcluster="${vcluster}"]`).waitFor({ state: "detached" });
        await expect(adminCall(kgate, "GET", `/v1/vclusters/${vcluster}`)).rejects.toThrow("404");
        // Logging out forgets the token and leaves nothing of the views in the page.
        await page.getByRole("button", { name: "Log out" }).click();
        await page.locator("#login-token").waitFor();
        expect(await page.evaluate(() => [sessionStorage.length, document.getElementById("view")!.childElementCount])).toEqual([0, 0]);
        expect(await page.content()).not.toContain(vcluster);

        expect(errors.join("\n")).toBe("");
        expect(refused).toEqual([`400 PUT ${kgate.adminUrl}/v1/vclusters/${vcluster}`]);
        await page.close();
      }, 120_000);
    });
  }
});
