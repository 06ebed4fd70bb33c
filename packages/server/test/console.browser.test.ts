import { HelloJohn, isHelloJohnError } from "@hellojohn/node";
import axe from "axe-core";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type HelloJohnServer } from "../src/app.js";
import { createConsoleLoginLink } from "../src/console/login-link.js";
import { MasterKey } from "../src/crypto/master-key.js";

// The console in a real Chromium against a real server: sign in through the
// login link, find a user, edit metadata, disable and enable, revoke a
// session, impersonate, export, delete; axe on every page; screenshots of
// every page into test/artifacts/console (the server README shows copies).
const CHROMIUM = process.env.HELLOJOHN_CHROMIUM ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true")
  throw new Error(`${CHROMIUM} is missing: the console's browser tests are mandatory under CI=true (scripts/ensure-chromium.mjs installs it)`);
if (!available) console.warn(`console browser tests skipped: ${CHROMIUM} is missing (run node scripts/ensure-chromium.mjs as root)`);

const ARTIFACTS = new URL("./artifacts/console/", import.meta.url);
const PASSWORD = "correct horse battery staple";

describe.skipIf(!available)("the console in Chromium", () => {
  let server: HelloJohnServer;
  let url: string;
  let tenantId: string;
  let hj: HelloJohn;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const searches: string[] = [];
  let target: { id: string; email: string };
  let orgId: string;
  let receiver: Server;
  let endpointId: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await createServer({
      masterKey: MasterKey.generate(),
      passwordHashing: "unsafe-test-only",
      console: true,
      webhooks: { allowPrivateNetworks: true, pollIntervalMs: 200 },
    });
    url = await server.listen();
    tenantId = (await server.tenants.createTenant("Acme")).id;
    const { secretKey } = await server.tenants.createApiKey(tenantId, "seed");
    hj = new HelloJohn({ tenantId, secretKey, baseUrl: url });
    // A webhook receiver on loopback that accepts everything.
    receiver = createHttpServer((request, response) => {
      request.resume();
      request.on("end", () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const receiverPort = (receiver.address() as { port: number }).port;
    endpointId = (await hj.webhooks.endpoints.create({ url: `http://127.0.0.1:${receiverPort}/hooks`, events: ["user.created"], description: "CRM sync" })).id;
    const org = await hj.organizations.create({ name: "Acme Support" });
    orgId = org.id;
    const names = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia", "Tim", "Hedy"];
    for (let i = 0; i < 30; i++) {
      const first = names[i % names.length] as string;
      const user = await hj.users.create({
        email: `${first.toLowerCase()}.${i}@example.com`,
        firstName: first,
        lastName: `Tester${i}`,
        password: PASSWORD,
        metadata: { plan: "free" },
      });
      if (i % 3 === 0) await hj.organizations.addMember(org.id, { userId: user.id, role: i === 0 ? "admin" : "member" });
    }
    const zed = await hj.users.create({
      email: "zed.zimmer@example.com",
      firstName: "Zed",
      lastName: "Zimmer",
      password: PASSWORD,
      metadata: { plan: "free", seats: 3, flags: { beta: true } },
    });
    await hj.organizations.addMember(org.id, { userId: zed.id, role: "member" });
    await hj.sessions.signInWithPassword({ email: zed.email, password: PASSWORD });
    target = { id: zed.id, email: zed.email };

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      // Failed loads are reported with their URL by the response listener below.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`);
    });
    page.on("response", (response) => {
      const expected = response.status() === 401 && response.url().endsWith("/console/api/session");
      if (response.status() >= 400 && !expected) problems.push(`${response.status()} from ${response.request().method()} ${response.url()}`);
    });
    // Works offline: nothing may leave this server's origin.
    page.on("request", (request) => {
      const search = new URL(request.url()).searchParams.get("search");
      if (search !== null) searches.push(search);
      if (!request.url().startsWith(url) && !request.url().startsWith("blob:")) problems.push(`outside request: ${request.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    receiver?.close();
  });

  /** axe-core on the current page: no serious or critical violation. Injected over CDP, so the page's CSP stays on. */
  async function checkAccessibility(name: string): Promise<void> {
    await page.evaluate(axe.source);
    // Expressions as strings: this file is type-checked without the DOM library.
    const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as axe.AxeResults;
    const serious = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${name}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
    expect(serious).toEqual([]);
  }

  const shoot = (name: string) => page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });

  it("signs in through the login link, and the link works only once", async () => {
    const link = await createConsoleLoginLink(server, { tenantId, operator: "alice", baseUrl: url });
    await page.goto(link.url);
    await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    // The token left the address bar; the cookie is HttpOnly, so scripts cannot read it.
    expect(page.url()).not.toContain("login=");
    expect(await page.evaluate("document.cookie")).toBe("");
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "hj_console")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("31 users");
    await checkAccessibility("users");
    await shoot("users");

    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(link.url);
    await second.getByText("already used").waitFor();
    expect(await second.getByRole("heading", { name: "Users" }).count()).toBe(0);
    await other.close();
  });

  it("pages through users by keyset and filters by status and organization", async () => {
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(6);
    await page.getByRole("button", { name: "Previous page" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(25);
    await page.getByLabel("Organization").selectOption(orgId);
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("11 users");
    await page.getByLabel("Organization").selectOption("");
    await page.getByLabel("Status").selectOption("disabled");
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("0 users");
    await page.getByLabel("Status").selectOption("");
  });

  it("shows a keystroke's rows before its total, which says Counting… until the count answers", async () => {
    // The count requests wait here until released, as a slow count over a common term would.
    const held: (() => Promise<void>)[] = [];
    await page.route("**/console/api/users/count*", (route) => void held.push(() => route.continue()));
    await page.getByLabel("Search").fill("example.com");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(25);
    await expect.poll(() => held.length).toBeGreaterThan(0);
    expect(await page.getByTestId("users-total").textContent()).toBe("Counting…");
    expect(await page.getByTestId("users-total").getAttribute("aria-busy")).toBe("true");
    // A count the page abandoned (an earlier keystroke's) is already settled: nothing to release.
    for (const release of held.splice(0)) await release().catch(() => undefined);
    await page.unroute("**/console/api/users/count*");
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("31 users");
    expect(await page.getByTestId("users-total").getAttribute("aria-busy")).toBe("false");
    await page.getByLabel("Search").fill("");
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("31 users");
  });

  it("reaches the search field by keyboard and finds a user as you type", async () => {
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    let focused = "";
    for (let i = 0; i < 12 && focused !== "search"; i++) {
      await page.keyboard.press("Tab");
      focused = (await page.evaluate('document.activeElement?.getAttribute("name") ?? ""')) as string;
    }
    expect(focused).toBe("search");
    await page.keyboard.type("zimm", { delay: 150 });
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("1 user");
    // One- and two-character needles are not sent: they could not use the trigram index.
    expect(searches.some((needle) => needle.length < 3)).toBe(false);
    expect(searches).toContain("zimm");
    await shoot("users-search");
    await page.getByRole("link", { name: target.email }).click();
    await page.getByRole("heading", { level: 1, name: target.email }).waitFor();
    await checkAccessibility("user");
    await shoot("user");
  });

  it("edits metadata with a merge patch, previewed before saving", async () => {
    await page.getByLabel("Merge patch").fill('{"plan": "pro", "seats": null, "flags": {"sso": true}}');
    const preview = JSON.parse((await page.getByTestId("metadata-preview").textContent()) ?? "") as unknown;
    expect(preview).toEqual({ plan: "pro", flags: { beta: true, sso: true } });
    await shoot("user-metadata-preview");
    await page.getByRole("button", { name: "Save metadata" }).click();
    await page.getByText("Metadata saved").waitFor();
    expect((await hj.users.get(target.id)).metadata).toEqual({ plan: "pro", flags: { beta: true, sso: true } });
    await page.getByLabel("Merge patch").fill("{not json");
    await page.getByText(/^Not JSON/).waitFor();
    expect(await page.getByRole("button", { name: "Save metadata" }).isDisabled()).toBe(true);
  });

  it("revokes a session, disables and re-enables the user", async () => {
    await page
      .getByRole("button", { name: /^Revoke session ses_/ })
      .first()
      .click();
    await page.getByText("Session revoked").waitFor();
    await page.getByRole("button", { name: "Disable user" }).click();
    await expect.poll(() => page.getByTestId("user-status").textContent()).toBe("Disabled");
    expect((await hj.users.get(target.id)).disabled).toBe(true);
    await page.getByRole("button", { name: "Enable user" }).click();
    await expect.poll(() => page.getByTestId("user-status").textContent()).toBe("Active");
    expect((await hj.users.get(target.id)).disabled).toBe(false);
  });

  it("impersonates with a required reason and expiry", async () => {
    const submit = page.getByRole("button", { name: "Impersonate", exact: true });
    expect(await submit.isDisabled()).toBe(true);
    await page.getByLabel("Reason").fill("Support ticket 4711");
    await page.getByLabel("Expires after").selectOption("300");
    await submit.click();
    const token = await page.getByLabel(/^Access token/).inputValue();
    const verified = await hj.verifyToken(token);
    expect(verified.userId).toBe(target.id);
    expect(verified.impersonator).toEqual({ actorId: "alice", reason: "Support ticket 4711" });
    await page.getByRole("cell", { name: "alice: Support ticket 4711" }).waitFor();
    const timeline = (await page.getByTestId("audit-timeline").textContent()) ?? "";
    expect(timeline).toContain("user.impersonated by operator alice");
    expect(timeline).toContain("user.disabled by operator alice");
    expect(timeline).toContain("session.revoked by operator alice");
    expect(timeline).toContain("user.updated by operator alice");
    await shoot("user-actions");
  });

  it("exports the user as a JSON download", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export as JSON" }).click()]);
    expect(download.suggestedFilename()).toBe(`${target.id}.json`);
    const document = JSON.parse(readFileSync(await download.path(), "utf8")) as { user: { id: string; metadata: unknown }; sessions: unknown[]; memberships: unknown[] };
    expect(document.user.id).toBe(target.id);
    expect(document.user.metadata).toEqual({ plan: "pro", flags: { beta: true, sso: true } });
    expect(document.sessions.length).toBe(2);
    expect(document.memberships.length).toBe(1);
  });

  it("shows organizations and their members", async () => {
    await page.getByRole("link", { name: "Organizations" }).click();
    await page.getByRole("heading", { level: 1, name: "Organizations" }).waitFor();
    await checkAccessibility("organizations");
    await shoot("organizations");
    await page.getByRole("link", { name: "Acme Support" }).click();
    await page.getByRole("heading", { level: 1, name: "Acme Support" }).waitFor();
    await page.getByRole("heading", { name: "Members (11)" }).waitFor();
    await checkAccessibility("organization");
    await shoot("organization");
  });

  it("shows webhook endpoints and their recent deliveries", async () => {
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await page.getByRole("cell", { name: /CRM sync/ }).waitFor();
    await checkAccessibility("webhooks");
    await shoot("webhooks");
    // Deliveries are made by the worker in the background: wait (bounded) until some succeeded.
    await expect
      .poll(async () => (await hj.webhooks.endpoints.listDeliveries(endpointId)).deliveries.filter((d) => d.status === "succeeded").length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.getByRole("link", { name: /\/hooks$/ }).click();
    await page.getByRole("heading", { level: 1, name: "Recent deliveries" }).waitFor();
    await page.getByRole("cell", { name: "HTTP 204" }).first().waitFor();
    expect(await page.getByRole("cell", { name: "user.created" }).count()).toBeGreaterThan(0);
    await checkAccessibility("webhook");
    await shoot("webhook-deliveries");
  });

  it("deletes a user only after the email is typed", async () => {
    await page.goto(`${url}/console/#/users/${target.id}`);
    await page.getByRole("heading", { level: 1, name: target.email }).waitFor();
    const remove = page.getByRole("button", { name: "Delete user" });
    await page.getByLabel(/^Type/).fill("zed.zimmer@example.co");
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel(/^Type/).fill(target.email);
    await remove.click();
    await page.getByRole("heading", { level: 1, name: "User deleted" }).waitFor();
    const gone = await hj.users.get(target.id).catch((error: unknown) => error);
    expect(isHelloJohnError(gone) && gone.status === 404).toBe(true);
  });

  it("is usable on a narrow screen", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${url}/console/#/users`);
    await expect.poll(() => page.getByTestId("users-total").textContent()).toBe("30 users");
    // Tables scroll inside their own region; the page itself does not scroll sideways.
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    await checkAccessibility("users-narrow");
    await shoot("users-narrow");
  });

  it("an expired console session is sent back to sign in", async () => {
    await server.database.db
      .updateTable("console_sessions")
      .set({ last_seen_at: Date.now() - 31 * 60_000 })
      .execute();
    await page.reload();
    await page.getByText("The console session expired").waitFor();
    await checkAccessibility("signed-out");
    await shoot("signed-out");
    expect(problems).toEqual([]);
  });
});
