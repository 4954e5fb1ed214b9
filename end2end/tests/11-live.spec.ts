import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test, expect, type Browser, type Page } from "@playwright/test";
import { clickAndWait, hydrated, perAttempt, signInAsAdmin } from "./support";

// Runs after 01-accounts.spec.ts on the same server: the admin and Morgan (a member) exist.
test.describe.configure({ mode: "serial" });

// A failed test runs once more, with the file's other tests: a retry gets a board of its own.
let key = "live-board";
test.beforeAll(() => {
  key = perAttempt("live-board");
});
const morgan = { email: "morgan@example.org", password: "morgan's new password" };
// Live changes must show within a second; the browser test allows some slack for a busy machine
// (the figure itself comes from `make live-bench`).
const live = { timeout: 3_000 };

async function signIn(browser: Browser, email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects", exact: true })).toBeVisible();
  return page;
}

/** Marks the page so that a reload (which would clear the mark) can be told apart. */
async function mark(page: Page) {
  await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
}

async function stillTheSamePage(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
}

test("two people on one retro board see each other's cards and votes without reloading", async ({ page, browser }) => {
  await signInAsAdmin(page);
  const api = page.request;
  expect((await api.post("/api/v1/projects", { data: { key, name: "Live board", started_on: "2026-01-05" } })).status()).toBe(201);
  const users = await (await api.get("/api/v1/users")).json();
  const morganId = (users.items ?? users).find((u: { email: string }) => u.email === morgan.email).id;
  expect((await api.post(`/api/v1/projects/${key}/members`, { data: { user: morganId, role: "member" } })).ok()).toBe(true);
  expect((await api.post(`/api/v1/projects/${key}/sprints`, { data: {} })).status()).toBe(201);
  expect(
    (await api.put(`/api/v1/projects/${key}/sprints/1/retro`, { data: { held_on: "2026-01-16", format: "start_stop_continue" } })).ok(),
  ).toBe(true);

  const board = `/projects/${key}/sprints/1/retro`;
  await page.goto(board);
  await hydrated(page);
  const other = await signIn(browser, morgan.email, morgan.password);
  await other.goto(board);
  await hydrated(other);

  // Each sees that two people are on the board.
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toHaveText("Live · 2 people on this board", live);
  await expect(other.getByRole("status").filter({ hasText: "Live" })).toHaveText("Live · 2 people on this board", live);
  await mark(page);
  await mark(other);

  // The admin adds a card (the form posts and the admin's page reloads); Morgan sees it.
  await page.getByLabel("New item for Start").fill("Card from the admin");
  await clickAndWait(page.getByRole("button", { name: "Add to Start" }));
  await expect(page.getByText("Card from the admin")).toBeVisible();
  await expect(other.getByText("Card from the admin")).toBeVisible(live);
  await stillTheSamePage(other);

  // Morgan adds one and votes for the admin's; the admin sees both without reloading.
  await mark(page);
  await other.getByLabel("New item for Stop").fill("Card from Morgan");
  await clickAndWait(other.getByRole("button", { name: "Add to Stop" }));
  await expect(page.getByText("Card from Morgan")).toBeVisible(live);
  await clickAndWait(other.getByRole("button", { name: "Vote for: Card from the admin" }));
  const adminsCard = page.locator(".retro-item").filter({ hasText: "Card from the admin" });
  await expect(adminsCard.getByText("1 vote", { exact: true })).toBeVisible(live);
  await stillTheSamePage(page);

  // What the admin was typing is left alone while a change arrives.
  await mark(other);
  await page.getByLabel("New item for Continue").fill("Half a thought");
  await clickAndWait(other.getByRole("button", { name: "Vote for: Card from the admin" }));
  await expect(adminsCard.getByText("2 votes", { exact: true })).toBeVisible(live);
  await expect(page.getByLabel("New item for Continue")).toHaveValue("Half a thought");

  // When Morgan leaves, the admin's count follows.
  await other.context().close();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toHaveText("Live · 1 person on this board", live);
});

test("new feedback appears in the inbox and the nav count of everyone viewing it", async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.goto(`/projects/${key}/feedback`);
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toHaveText("Live", live);
  await mark(page);

  // A stakeholder answers through an invite link, in their own browser.
  const invite = await (await page.request.post(`/api/v1/projects/${key}/invites`, { data: { expires_in_days: 7 } })).json();
  const stakeholder = await (await browser.newContext()).newPage();
  await stakeholder.goto(invite.url);
  await stakeholder.getByLabel("4", { exact: true }).check();
  await stakeholder.getByLabel("Your comment").fill("The live board is handy");
  await stakeholder.getByRole("button", { name: "Send feedback" }).click();
  await expect(stakeholder.getByText("Thank you! Your feedback was sent to the team.")).toBeVisible();

  await expect(page.getByText("The live board is handy")).toBeVisible(live);
  await expect(page.locator("[data-live=new-count]")).toHaveText("1 new", live);
  await expect(page.locator("[data-live=nav-count]")).toContainText("new feedback", live);
  await stillTheSamePage(page);
  await stakeholder.context().close();
});

test("a lead adds a webhook, sends a test event and sees it delivered in the log", async ({ page }) => {
  // A local receiver that checks nothing itself: the test checks what it got.
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  await signInAsAdmin(page);
  // Loopback addresses are refused until the admin allows them (which a first attempt may have).
  expect((await page.request.put("/api/v1/settings/webhooks", { data: { allow_private: false } })).ok()).toBe(true);
  await page.goto(`/projects/${key}/settings/webhooks`);
  await page.getByLabel("Address (URL)").fill(url);
  await page.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.locator("#url-error")).toContainText("private or loopback");
  await page.goto("/admin/settings");
  await page.getByLabel("Allow webhooks to private and loopback addresses").check();
  await clickAndWait(page.getByRole("button", { name: "Save webhook setting" }));
  await page.reload();
  await expect(page.getByLabel("Allow webhooks to private and loopback addresses")).toBeChecked();

  await page.goto(`/projects/${key}/settings/webhooks`);
  await page.getByLabel("Address (URL)").fill(url);
  await page.getByLabel(/Retro action item added/).check();
  await page.getByRole("button", { name: "Add webhook" }).click();
  // The made secret shows once, on the webhook's page.
  await expect(page).toHaveURL(/\/settings\/webhooks\/[a-z0-9]+$/);
  const secret = await page.getByLabel("Signing secret").inputValue();
  expect(secret).toMatch(/^whsec_/);
  await page.reload();
  await expect(page.getByLabel("Signing secret")).toHaveCount(0);

  await clickAndWait(page.getByRole("button", { name: "Send a test event" }));
  await expect.poll(() => got.length, { timeout: 10_000 }).toBe(1);
  const [ping] = got;
  expect(ping.headers["x-touchpoint-event"]).toBe("ping");
  const [t, v1] = String(ping.headers["x-touchpoint-signature"]).split(",");
  const expected = createHmac("sha256", secret).update(`${t.slice(2)}.${ping.body}`).digest("hex");
  expect(v1).toBe(`v1=${expected}`);
  expect(JSON.parse(ping.body)).toMatchObject({ type: "ping", project: { key } });

  await expect
    .poll(async () => {
      await page.reload();
      return page.locator("table.deliveries tbody tr").first().innerText();
    }, { timeout: 10_000 })
    .toContain("Delivered");
  await new Promise<void>((ok) => receiver.close(() => ok()));
});
