import { test, expect } from "@playwright/test";
import { clickAndWait, perAttempt, signInAsAdmin } from "./support";

// Single sign-on through the test identity provider (end2end/idp/server.mjs, on
// node-oidc-provider), which scripts/e2e.sh starts and configures as "Test ID".
test.describe.configure({ mode: "serial" });

const idp = process.env.IDP_ISSUER;

test("an invited user signs in with the provider, lands on the portfolio, and signs out", async ({ page, request }) => {
  expect(idp, "scripts/e2e.sh starts the test provider").toBeTruthy();
  // The provider's account (username = its subject) with a verified email of its own.
  const sub = perAttempt("sso-journey");
  const email = `${sub}@example.org`;
  const put = await request.put(`${idp}/_test/users/${sub}`, {
    data: { email, email_verified: true, name: "Journey Person" },
  });
  expect(put.status()).toBe(204);

  // The admin invites the person without a password: they will sign in through the provider.
  await signInAsAdmin(page);
  await page.goto("/admin/users");
  await expect(page.getByText("Leave it empty to have them sign in with Test ID only")).toBeVisible();
  await page.getByLabel("Name").fill("Journey Person");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").last().selectOption("lead");
  await page.getByRole("button", { name: "Create user" }).click();
  // Without a password there is nothing to change: the new user is simply active.
  const invited = page.getByRole("row").filter({ hasText: email });
  await expect(invited.getByText("Active")).toBeVisible();
  await expect(invited.getByText("Not linked")).toBeVisible();
  await clickAndWait(page.getByRole("button", { name: "Sign out" }));
  await expect(page).toHaveURL(/\/login$/);

  // "Sign in with Test ID" goes to the provider's own sign-in page.
  await clickAndWait(page.getByRole("link", { name: "Sign in with Test ID" }));
  await expect(page).toHaveTitle("Test identity provider");
  await page.getByLabel("Username").fill(sub);
  await page.getByLabel("Password").fill("sso password");
  await clickAndWait(page.getByRole("button", { name: "Sign in" }));

  // Back at Touchpoint, signed in, on the portfolio.
  await expect(page.getByText("Welcome, Journey Person")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Portfolio" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");

  // Signing out ends the Touchpoint session.
  await clickAndWait(page.getByRole("button", { name: "Sign out" }));
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/me");
  await expect(page).toHaveURL(/\/login\?next=\/me$/);

  // The admin sees the link on the user list.
  await signInAsAdmin(page);
  await page.goto("/admin/users");
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row.getByText(`Linked (${email})`)).toBeVisible();
  await expect(row.getByRole("button", { name: "Remove SSO link" })).toBeVisible();
});

test("a refused sign-in explains itself on the sign-in page", async ({ page, request }) => {
  const sub = perAttempt("sso-unverified");
  const put = await request.put(`${idp}/_test/users/${sub}`, {
    data: { email: `${sub}@example.org`, email_verified: false, name: "Unverified Person" },
  });
  expect(put.status()).toBe(204);
  await page.goto("/login");
  await clickAndWait(page.getByRole("link", { name: "Sign in with Test ID" }));
  await page.getByLabel("Username").fill(sub);
  await page.getByLabel("Password").fill("sso password");
  await clickAndWait(page.getByRole("button", { name: "Sign in" }));
  await expect(page).toHaveURL(/\/login\?sso=unverified$/);
  await expect(page.getByRole("alert")).toHaveText(
    "Test ID has not verified your email address, so it cannot be used to sign in to Touchpoint. Verify it at Test ID, then try again.",
  );
});
