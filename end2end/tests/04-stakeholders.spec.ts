import { test, expect, type Page } from "@playwright/test";
import { clickAndWait, hydrated, perAttempt } from "./support";

// Runs after 01-accounts, which leaves this administrator behind.
test.describe.configure({ mode: "serial" });

const admin = { email: "admin@example.org", password: "correct horse battery" };

async function signIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

async function addStakeholder(
  page: Page,
  s: { name: string; fn: string; org: string; title: string; email?: string },
) {
  await page.goto("/stakeholders");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Add stakeholder" }) });
  await form.getByLabel("Name", { exact: true }).fill(s.name);
  await form.getByLabel("Function", { exact: true }).selectOption(s.fn);
  await form.getByLabel("Organization", { exact: true }).fill(s.org);
  await form.getByLabel("Title", { exact: true }).fill(s.title);
  if (s.email) await form.getByLabel("Email", { exact: true }).fill(s.email);
  await form.getByRole("button", { name: "Add stakeholder" }).click();
  // The list refreshes (or, without JavaScript, the page reloads) with the new entry.
  await expect(
    page.locator("table.stakeholder-table").getByRole("link", { name: s.name, exact: true }),
  ).toBeVisible();
}

test("add, search, filter, merge and erase stakeholders", async ({ page }) => {
  // A retry (playwright.config.ts) runs on the same server: it adds people of its own.
  const robin = perAttempt("Robin Example", " ");
  const robinEmail = `${perAttempt("robin")}@example.org`;
  const r = perAttempt("R. Example", " ");
  const sam = perAttempt("Sam Sample", " ");
  await signIn(page);

  // Saving attributes without a consent date is refused, next to the date.
  await page.goto("/stakeholders");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Add stakeholder" }) });
  await form.getByLabel("Name", { exact: true }).fill(robin);
  await form.getByLabel("Function", { exact: true }).selectOption("end_user");
  await form.getByLabel("Self-described attributes", { exact: true }).fill("background: rural");
  await form.getByRole("button", { name: "Add stakeholder" }).click();
  await expect(page.getByText("Self-described attributes are kept only with consent")).toBeVisible();

  await addStakeholder(page, {
    name: robin,
    fn: "end_user",
    org: "Northwind Clinic",
    title: "Ward nurse",
    email: robinEmail,
  });
  await addStakeholder(page, { name: r, fn: "end_user", org: "Northwind Clinic", title: "Nurse" });
  await addStakeholder(page, { name: sam, fn: "data_owner", org: "Contoso Data", title: "Data steward" });

  // Search (by organization) and filter (by function); the filters stay in the URL.
  await page.goto("/stakeholders");
  await page.getByLabel("Search", { exact: true }).fill("northwind");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/q=northwind/);
  const table = page.locator("table.stakeholder-table");
  await expect(table.getByRole("link", { name: robin, exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: r, exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: sam })).toHaveCount(0);

  await page.goto("/stakeholders");
  await page.getByLabel("Filter by function").selectOption("data_owner");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/function=data_owner/);
  await expect(table.getByRole("link", { name: sam })).toBeVisible();
  await expect(table.getByRole("link", { name: robin, exact: true })).toHaveCount(0);
  // Admins see emails; a search by email works for them.
  await page.goto(`/stakeholders?q=${encodeURIComponent(robinEmail)}`);
  await expect(table.getByRole("cell", { name: robinEmail })).toBeVisible();

  // Merge "R. Example" into "Robin Example", keeping the latter.
  await page.goto("/stakeholders?q=northwind");
  await table.getByRole("link", { name: robin, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: robin })).toBeVisible();
  const keptUrl = page.url();
  await page.getByLabel("Duplicate entry", { exact: true }).selectOption({ label: `${r} (End user)` });
  await page.getByLabel("Keep this entry").check();
  // The page comes back at the same address, and a missing option proves nothing while it loads.
  await clickAndWait(page.getByRole("button", { name: "Merge entries" }));
  await expect(page.getByLabel("Duplicate entry", { exact: true }).locator("option", { hasText: r })).toHaveCount(0);
  await expect(page).toHaveURL(keptUrl);
  await page.goto("/stakeholders?q=northwind");
  await expect(table.getByRole("link", { name: robin, exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: r, exact: true })).toHaveCount(0);

  // Erase: refused without "I understand", done with it.
  await table.getByRole("link", { name: robin, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: robin })).toBeVisible();
  await page.getByRole("button", { name: "Erase stakeholder" }).click();
  await expect(page.getByText('Tick "I understand" to confirm')).toBeVisible();
  // The refused form comes back as it was sent, unticked: tick it once that is in place.
  await hydrated(page);
  await page.getByLabel("I understand that this cannot be undone").check();
  await page.getByRole("button", { name: "Erase stakeholder" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Erased stakeholder" })).toBeVisible();
  await expect(page.getByText("Northwind Clinic")).toHaveCount(0);
  await expect(page.getByRole("definition").filter({ hasText: "End user" }).first()).toBeVisible();

  // Erased entries leave the directory unless asked for.
  const erased = table.locator(`a[href="${new URL(keptUrl).pathname}"]`);
  await page.goto("/stakeholders");
  await expect(erased).toHaveCount(0);
  await page.goto("/stakeholders?erased=include");
  await expect(erased).toHaveText("Erased stakeholder");
});
