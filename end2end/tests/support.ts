import { expect, test, type Locator, type Page } from "@playwright/test";

/** Waits until the page's wasm has hydrated (the app marks `<body data-hydrated>`). A click
 *  that lands while hydration is still attaching handlers can be lost, so journeys that click
 *  right after a load wait for this first. On a form the server refused, hydration puts back
 *  what was sent (the FormMemory island), over anything typed before: a journey that corrects a
 *  refused form waits for this before typing. */
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

/** Clicks a submit button or a link and waits until the page it leads to has loaded.
 *
 *  Forms post without JavaScript and the server answers with a redirect, so such a click starts
 *  a navigation even when the address stays the same. Until the next page is there, a reload or
 *  a `goto` cancels it (and with it perhaps the post), and what the next step reads or clicks is
 *  still the page being left. Playwright's own click waits only for a navigation that the
 *  browser announced before the click returned, and a busy browser can announce a post later. */
export async function clickAndWait(target: Locator) {
  const page = target.page();
  await Promise.all([
    page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame(), timeout: 30_000 }),
    target.click(),
  ]);
  await page.waitForLoadState("load");
}

/** `name` on a test's first run, `name-2` when Playwright runs it again after a failure
 *  (playwright.config.ts). The retry runs on the same server, where the first run's records are
 *  still there: a project key or a name it creates must not be taken already. */
export function perAttempt(name: string, separator = "-"): string {
  const retry = test.info().retry;
  return retry ? `${name}${separator}${retry + 1}` : name;
}
