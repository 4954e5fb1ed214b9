import { expect, type Page } from "@playwright/test";

/** Waits until the page's wasm has hydrated (the app marks `<body data-hydrated>`). A click
 *  that lands while hydration is still attaching handlers can be lost, so journeys that click
 *  right after a load wait for this first. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 60_000 });
}
