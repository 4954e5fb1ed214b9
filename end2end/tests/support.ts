import { expect, type Page } from "@playwright/test";

/** Waits until the page's wasm has hydrated (the app marks `<body data-hydrated>`). A click
 *  that lands while hydration is still attaching handlers can be lost, so journeys that click
 *  right after a load wait for this first. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 60_000 });
}

/** Signs in as the admin that the first journey (01-accounts) created. */
export async function signInAsAdmin(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@example.org");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects", exact: true })).toBeVisible();
}
