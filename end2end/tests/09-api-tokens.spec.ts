import { test, expect } from "@playwright/test";
import { clickAndWait, hydrated, perAttempt } from "./support";

// A person creates an API token on their profile page, a script uses it, and revoking it on the
// same page shuts the script out.
test("create an API token on the profile page, call the API with it, revoke it", async ({ page, request }) => {
  const name = perAttempt("Nightly report script", " ");
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@example.org");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects" })).toBeVisible();

  await page.goto("/me");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Expires in days (optional)").fill("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.locator("#new-token");
  await expect(shown).toHaveValue(/^tp_/);
  const token = await shown.inputValue();
  await expect(page.getByText("Copy it now; it will not be shown again.")).toBeVisible();

  // A script: only the token, no cookies (the `request` fixture has its own context).
  const ok = await request.get("/api/v1/projects", { headers: { Authorization: `Bearer ${token}` } });
  expect(ok.status()).toBe(200);
  const body = await ok.json();
  expect(Array.isArray(body.items)).toBe(true);
  expect(body.items.map((p: { key: string }) => p.key)).toContain("quality-journey");

  // The reference page is linked from the profile page.
  await expect(page.getByRole("link", { name: "API reference" })).toHaveAttribute("href", "/api/docs");

  await clickAndWait(page.getByRole("button", { name: `Revoke ${name}`, exact: true }));
  await expect(page.getByRole("button", { name: `Revoke ${name}`, exact: true })).toHaveCount(0);
  const refused = await request.get("/api/v1/projects", { headers: { Authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("unauthorized");
});

// The API reference loads without a single failed request (no stray favicon or stylesheet 404).
test("the API reference loads without a failed request", async ({ page }) => {
  const failed: string[] = [];
  page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.url()}: ${r.status()}`);
  });
  const res = await page.goto("/api/docs");
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "API reference" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(failed, failed.join("\n")).toEqual([]);
});
