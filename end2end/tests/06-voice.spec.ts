import { test, expect, type Page, type BrowserContext } from "@playwright/test";
import { perAttempt } from "./support";

// Runs after 01-accounts.spec.ts on the same server: the admin exists. The three tests share
// a project, an invite link and the stakeholder's browser, so they run in order.
test.describe.configure({ mode: "serial" });

const project = { name: "Voice journey", key: "voice-journey" };
// A failed test runs once more, with the file's other tests: a retry gets a project of its own.
test.beforeAll(() => {
  project.name = perAttempt("Voice journey", " ");
  project.key = perAttempt("voice-journey");
});
const xss = '<img src=x onerror="window.__xss=1">';
const comment = `The labels are hard to read on my phone. ${xss}`;
const reply = "Thanks, Pat: the labels are larger since this sprint.";

let linkUrl = "";
let stakeholder: BrowserContext | undefined;

async function signInAsAdmin(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@example.org");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects" })).toBeVisible();
}

test.afterAll(async () => {
  await stakeholder?.close();
});

test("schedule an interview in its own time zone and find it in the calendar feed", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill(project.name);
  await page.getByLabel("Key").fill(project.key);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.key}$`));

  await page.goto(`/projects/${project.key}/interviews`);
  await expect(page.getByRole("heading", { name: "Schedule an interview" })).toBeVisible();
  // A participant who is not in the directory yet is added while scheduling.
  await page.getByLabel("Their name").fill("Rosa Field");
  await page.getByLabel("Their function").selectOption("end_user");
  await page.getByLabel("Date and time").fill("2030-05-04T10:30");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByLabel("Length (minutes)").fill("45");
  await page.getByLabel("Kind").selectOption("usability_test");
  await page.getByRole("button", { name: "Schedule interview" }).click();

  const row = page.locator("table.interview-table tr", { hasText: "2030-05-04 10:30 Europe/Berlin" });
  await expect(row).toBeVisible();
  await expect(row.getByText("Rosa Field")).toBeVisible();
  await expect(row.locator(".badge", { hasText: "End user" })).toBeVisible();

  // Turn the feed on: the secret address is shown once.
  await page.getByRole("button", { name: "Turn on the feed" }).click();
  const address = page.getByLabel("Calendar address");
  await expect(address).toBeVisible();
  const feedUrl = await address.inputValue();
  expect(feedUrl).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\/interviews\.ics$/);

  const res = await page.request.get(feedUrl);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/calendar");
  expect(res.headers()["cache-control"]).toBe("no-store");
  const ics = (await res.text()).replace(/\r\n[ \t]/g, "");
  expect(ics).toContain("BEGIN:VCALENDAR");
  expect(ics).toMatch(/UID:interview-[A-Za-z0-9]+@touchpoint/);
  // 10:30 in Berlin in May (UTC+2) is 08:30 UTC.
  expect(ics).toContain("DTSTART:20300504T083000Z");
  expect(ics).toContain("DTEND:20300504T091500Z");
  expect(ics).toContain(`SUMMARY:Usability test – ${project.name}`);
  expect(ics).toContain("Rosa Field");
});

test("a stakeholder leaves feedback through a link on a phone, and it arrives escaped in the inbox", async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.goto(`/projects/${project.key}/feedback`);
  await expect(page.getByRole("heading", { name: "Invite links" })).toBeVisible();
  await page.getByLabel("Expires after (days)").fill("7");
  await page.getByRole("button", { name: "Create link" }).click();
  const link = page.getByLabel("New invite link");
  await expect(link).toBeVisible();
  linkUrl = await link.inputValue();
  expect(linkUrl).toMatch(/\/f\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator("table").getByText("Anyone")).toBeVisible();

  // A fresh browser with no session, phone-sized.
  stakeholder = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await stakeholder.newPage();
  const res = await phone.goto(linkUrl);
  expect(res?.status()).toBe(200);
  expect(res?.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(phone.getByRole("heading", { name: `Feedback for ${project.name}` })).toBeVisible();
  await expect(phone.getByRole("heading", { name: "Privacy" })).toBeVisible();
  // Nothing of the signed-in app is reachable from here.
  await expect(phone.getByRole("link", { name: "Projects" })).toHaveCount(0);

  await phone.getByLabel("4", { exact: true }).check();
  await phone.getByLabel("Your comment").fill(comment);
  await phone.getByLabel("What is it about?").selectOption("usability");
  await phone.getByLabel("Your name (optional)").fill("Pat Doe");
  await phone.getByLabel("Your role (optional)").selectOption("end_user");
  await phone.getByRole("button", { name: "Send feedback" }).click();
  await expect(phone.getByText("Thank you! Your feedback was sent to the team.")).toBeVisible();

  const mine = phone.locator(".earlier .feedback-body");
  await expect(mine).toHaveText(comment);
  await expect(phone.locator('img[src="x"]')).toHaveCount(0);
  expect(await phone.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

  await page.goto(`/projects/${project.key}/feedback`);
  const card = page.locator("article.feedback-item", { hasText: "Pat Doe" });
  await expect(card).toBeVisible();
  await expect(card.locator(".feedback-body")).toHaveText(comment);
  await expect(card.locator(".badge", { hasText: "End user" })).toBeVisible();
  await expect(card.locator(".badge", { hasText: "New" })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test("the team responds and the stakeholder sees the response when reopening the link", async ({ page }) => {
  expect(linkUrl, "the previous test made a link").not.toBe("");
  await signInAsAdmin(page);
  await page.goto(`/projects/${project.key}/feedback`);
  const card = page.locator("article.feedback-item", { hasText: "Pat Doe" });
  await card.getByText("Triage and respond").click();
  await card.getByLabel("Status").selectOption("addressed");
  await card.getByLabel("Response (the author will see it)").fill(reply);
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.locator(".feedback-response")).toContainText(reply);
  await expect(card.locator(".badge", { hasText: "Addressed" })).toBeVisible();

  // Filtering by status keeps the state in the URL.
  await page.goto(`/projects/${project.key}/feedback?status=new`);
  await expect(page.locator("article.feedback-item", { hasText: "Pat Doe" })).toHaveCount(0);
  await page.goto(`/projects/${project.key}/feedback?status=addressed`);
  await expect(page.locator("article.feedback-item", { hasText: "Pat Doe" })).toBeVisible();

  // The same browser reopens the link: its own feedback with the team's response.
  const phone = await stakeholder!.newPage();
  await phone.goto(linkUrl);
  const earlier = phone.locator(".earlier");
  await expect(earlier.getByText("Response from the team")).toBeVisible();
  await expect(earlier.getByText(reply)).toBeVisible();
  await expect(earlier.locator(".badge", { hasText: "Addressed" })).toBeVisible();

  // Another browser sees none of it.
  const other = await phone.context().browser()!.newContext();
  const stranger = await other.newPage();
  await stranger.goto(linkUrl);
  await expect(stranger.getByRole("heading", { name: `Feedback for ${project.name}` })).toBeVisible();
  await expect(stranger.locator(".earlier")).toHaveCount(0);
  await other.close();
});
