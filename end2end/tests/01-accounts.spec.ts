import { test, expect, type Page } from "@playwright/test";
import { hydrated, perAttempt } from "./support";

// These run in order against one fresh server: the first claims the installation.
test.describe.configure({ mode: "serial" });

const admin = { name: "Avery Admin", email: "admin@example.org", password: "correct horse battery" };
const morgan = { name: "Morgan Member", email: "morgan@example.org", temp: "temporary-pass-123", password: "morgan's new password" };

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("first-run setup with the token from the log creates the admin", async ({ page }) => {
  // A retry (playwright.config.ts) runs on the same server: if its first attempt claimed the
  // installation, the admin it made signs in.
  if (test.info().retry > 0 && (await page.request.get("/setup")).status() === 404) {
    await signIn(page, admin.email, admin.password);
    await expect(page.getByText(`Welcome, ${admin.name}`)).toBeVisible();
    return;
  }
  const token = process.env.SETUP_TOKEN;
  expect(token, "scripts/e2e.sh passes the setup token").toBeTruthy();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  await page.goto("/setup");
  await page.getByLabel("Setup token").fill("not-the-token");
  await page.getByLabel("Your name").fill(admin.name);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Repeat the password").fill(admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByText("That setup token is not valid")).toBeVisible();

  // The refused form comes back with what was sent: correct it once that is in place.
  await hydrated(page);
  await page.getByLabel("Setup token").fill(token!);
  await page.getByLabel("Your name").fill(admin.name);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Repeat the password").fill(admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByText(`Welcome, ${admin.name}`)).toBeVisible();

  // Once a user exists, the setup page is gone.
  const res = await page.goto("/setup");
  expect(res?.status()).toBe(404);
});

test("logout ends the session", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByText(`Welcome, ${admin.name}`)).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/me");
  await expect(page).toHaveURL(/\/login\?next=\/me$/);
});

test("a failed sign-in shows one message for any wrong credential", async ({ page }) => {
  await signIn(page, admin.email, "wrong password!");
  await expect(page.getByRole("alert")).toHaveText("Incorrect email or password.");
  await signIn(page, "nobody@example.org", "wrong password!");
  await expect(page.getByRole("alert")).toHaveText("Incorrect email or password.");
});

test("sign-in works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, admin.email, admin.password);
  await expect(page.getByText(`Welcome, ${admin.name}`)).toBeVisible();
  await context.close();
});

test("a new user must change the temporary password at first sign-in", async ({ page, browser }) => {
  // Later journeys sign in as the first attempt's member; a retry adds one of its own.
  const member = { ...morgan, name: perAttempt(morgan.name, " "), email: `${perAttempt("morgan")}@example.org` };
  await signIn(page, admin.email, admin.password);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await page.getByLabel("Name").fill(member.name);
  await page.getByLabel("Email").fill(member.email);
  await page.getByLabel("Role").last().selectOption("member");
  await page.getByLabel("Temporary password").last().fill(member.temp);
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("cell", { name: member.email })).toBeVisible();

  const context = await browser.newContext();
  const other = await context.newPage();
  await signIn(other, member.email, member.temp);
  await expect(other).toHaveURL(/\/change-password$/);
  await expect(other.getByText("Choose a new password before you continue.")).toBeVisible();
  // Other pages stay closed until the password is changed.
  await other.goto("/projects");
  await expect(other).toHaveURL(/\/change-password$/);
  await other.getByLabel("Current password").fill(member.temp);
  await other.getByLabel("New password", { exact: true }).fill(member.password);
  await other.getByLabel("Repeat the new password").fill(member.password);
  await other.getByRole("button", { name: "Change password" }).click();
  await expect(other.getByText(`Welcome, ${member.name}`)).toBeVisible();
  // Members do not see the admin section.
  await expect(other.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
  await context.close();
});
