import { test, expect } from "@playwright/test";
import { hydrated } from "./support";

// Runs last, on the projects the earlier journeys created. Every page must hydrate its islands
// without a console error: a hydration mismatch panics the wasm and leaves the islands dead, and
// an island the wasm does not export is only a console warning, so warnings about islands count.
test("every page hydrates without errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || (m.type() === "warning" && /island/i.test(m.text()))) {
      errors.push(`${page.url()}: ${m.text().slice(0, 300)}`);
    }
  });
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message.slice(0, 300)}`));
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("admin@example.org");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects" })).toBeVisible();
  const pages = [
    "/",
    "/projects",
    "/projects/new",
    "/projects/quality-journey",
    "/projects/quality-journey/readiness",
    "/projects/quality-journey/data-quality",
    "/projects/quality-journey/settings",
    "/projects/quality-journey/settings/webhooks",
    "/projects/quality-journey/interviews",
    "/projects/quality-journey/feedback",
    "/projects/quality-journey/report",
    "/projects/retro-journey/sprints/1",
    "/projects/retro-journey/sprints/1/review",
    "/projects/retro-journey/sprints/1/retro",
    "/stakeholders",
    "/interviews",
    "/reports",
    "/reports/diversity",
    "/me",
    "/admin/users",
    "/admin/settings",
    "/admin/audit",
  ];
  for (const path of pages) {
    await page.goto(path);
    await hydrated(page);
    if ((await page.locator(".live-status").count()) > 0) {
      // A live page keeps its event stream open, so the network is never idle: wait for the
      // stream instead.
      await expect(page.locator(".live-status")).toHaveAttribute("data-link", "live");
    } else {
      // Suspended parts hydrate as their data arrives; give them a moment to fail.
      await page.waitForLoadState("networkidle");
    }
  }
  expect(errors).toEqual([]);

  // A tab is a plain link that works.
  await page.goto("/projects/quality-journey/readiness");
  await hydrated(page);
  await page.getByRole("link", { name: "Data quality" }).click();
  await expect(page).toHaveURL(/\/projects\/quality-journey\/data-quality$/);
  await expect(page.getByRole("heading", { name: "Data-quality issues" })).toBeVisible();
});
