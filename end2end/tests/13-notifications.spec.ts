import { test, expect, type Page } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { clickAndWait, hydrated, perAttempt, signInAsAdmin } from "./support";

// Runs after 01-accounts.spec.ts on the same server: the admin exists. scripts/e2e.sh runs an
// SMTP server (aiosmtpd) that writes what it receives to the maildir in MAILDIR.
test.describe.configure({ mode: "serial" });

const project = { name: "Hear back", key: "hear-back" };
test.beforeAll(() => {
  project.name = perAttempt("Hear back", " ");
  project.key = perAttempt("hear-back");
});

/** The messages the test SMTP server received for `to`, as raw text. */
function messagesTo(to: string): string[] {
  const dir = path.join(process.env.MAILDIR ?? "", "new");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    // Line ends normalised and folded header lines unfolded.
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8").replace(/\r\n/g, "\n").replace(/\n[ \t]+/g, " "))
    .filter((m) => new RegExp(`^To: ${to.replace(/[.]/g, "\\.")}$`, "m").test(m));
}

async function newLink(page: Page): Promise<string> {
  await page.goto(`/projects/${project.key}/feedback`);
  await page.getByLabel("Expires after (days)").fill("7");
  await page.getByRole("button", { name: "Create link" }).click();
  const link = page.getByLabel("New invite link");
  await expect(link).toBeVisible();
  return link.inputValue();
}

test("a stakeholder asks to hear back, gets the team's answer, and unsubscribes in one click", async ({ page, browser }) => {
  test.skip(!process.env.MAILDIR, "needs the test SMTP server of scripts/e2e.sh");
  const address = perAttempt("lee", "") + "@example.org";
  await signInAsAdmin(page);
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill(project.name);
  await page.getByLabel("Key").fill(project.key);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.key}$`));
  const linkUrl = await newLink(page);

  const context = await browser.newContext();
  const phone = await context.newPage();
  await phone.goto(linkUrl);
  await hydrated(phone);
  await expect(phone.getByText("If you ask to hear back, we keep your email address")).toBeVisible();
  // Ticked without an address: refused next to the field, nothing stored.
  await phone.getByLabel("Your comment").fill("The export button is hard to find.");
  await phone.getByLabel("Tell me when the team responds").check();
  await clickAndWait(phone.getByRole("button", { name: "Send feedback" }));
  await expect(phone.getByText("Enter the address the team's answer should go to.")).toBeVisible();
  await hydrated(phone);
  await phone.getByLabel("Your email").fill(address);
  await phone.getByLabel("Tell me when the team responds").check();
  await clickAndWait(phone.getByRole("button", { name: "Send feedback" }));
  await expect(phone.getByText("Thank you! Your feedback was sent to the team.")).toBeVisible();

  // The team sees that the author will hear back, and answers.
  await page.goto(`/projects/${project.key}/feedback`);
  const card = page.locator("article.feedback-item", { hasText: "The export button is hard to find." });
  await expect(card.getByText("will be told by email when you respond")).toBeVisible();
  await card.getByText("Triage and respond").click();
  await card.getByLabel("Status").selectOption("planned");
  await card.getByLabel("Response (the author will see it)").fill("It moves to the toolbar next sprint.");
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.locator(".feedback-response")).toContainText("It moves to the toolbar");

  await expect.poll(() => messagesTo(address).length, { timeout: 30_000 }).toBe(1);
  const message = messagesTo(address)[0];
  expect(message).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  const unsubscribe = message.match(/^List-Unsubscribe: <([^>]+)>$/m)?.[1] ?? "";
  expect(unsubscribe).toMatch(/\/unsubscribe\/[A-Za-z0-9_-]{43}$/);

  // Opening the page changes nothing; the button does.
  await phone.goto(unsubscribe);
  await expect(phone.getByText(/Stop the messages Touchpoint sends to/)).toBeVisible();
  await expect(phone.getByText(address)).toHaveCount(0);
  await expect(phone.getByText(address.slice(0, 2) + "•••@example.org")).toBeVisible();
  await clickAndWait(phone.getByRole("button", { name: "Unsubscribe" }));
  await expect(phone.getByText("You are unsubscribed.")).toBeVisible();

  await page.goto(`/projects/${project.key}/feedback`);
  await expect(card.getByText("will be told by email when you respond")).toHaveCount(0);
  await context.close();
});

test("members choose their email on their profile page", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/me");
  await expect(page.getByRole("heading", { name: "Email" })).toBeVisible();
  await page.getByLabel("In the digest").check();
  await page.getByLabel("Weekly (Mondays)").check();
  await clickAndWait(page.getByRole("button", { name: "Save email choices" }));
  await page.reload();
  await expect(page.getByLabel("In the digest")).toBeChecked();
  await expect(page.getByLabel("Weekly (Mondays)")).toBeChecked();
});
