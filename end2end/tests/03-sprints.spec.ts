import { test, expect, type Page } from "@playwright/test";
import { hydrated, perAttempt } from "./support";

// Runs after 01-accounts and 02-projects on the same fresh server: the admin exists.
// The assertions look at what the server renders after each form post, so the journey holds
// with and without the wasm bundle.
test.describe.configure({ mode: "serial" });

const admin = { name: "Avery Admin", email: "admin@example.org", password: "correct horse battery" };
const action = "Write the data-check runbook";

async function signIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test("sprints, a review with a stakeholder, and a retro whose action item comes back", async ({ page }) => {
  const key = perAttempt("retro-journey");
  const stakeholder = perAttempt("Casey Clinician", " ");
  await signIn(page);

  // A stakeholder to invite to the review, added through the directory.
  await page.goto("/stakeholders");
  const add = page.locator("form", { has: page.getByRole("button", { name: "Add stakeholder" }) });
  await add.getByLabel("Name", { exact: true }).fill(stakeholder);
  await add.getByLabel("Function", { exact: true }).selectOption("end_user");
  await add.getByLabel("Organization", { exact: true }).fill("Riverside Care");
  await add.getByRole("button", { name: "Add stakeholder" }).click();
  // The new entry appears in the directory (after a plain post or the hydrated refresh).
  await expect(page.getByRole("link", { name: stakeholder })).toBeVisible();
  await page.goto("/stakeholders");
  await hydrated(page);
  await expect(page.getByRole("link", { name: stakeholder })).toBeVisible();

  // Our own project, with 14-day sprints from 2026-01-05.
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill("Retro journey");
  await page.getByLabel("Key").fill(key);
  await page.getByLabel("Started on").fill("2026-01-05");
  await page.getByLabel("Target sprint length (days)").fill("14");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${key}$`));

  // Two sprints with one click each; the second starts the day after the first ends.
  const sprints = page.locator("section.sprints");
  const table = page.locator("table.sprint-table");
  await expect(sprints.getByText("No sprints yet.")).toBeVisible();
  await expect(sprints.getByText("Creates Sprint 1: 2026-01-05 – 2026-01-18 (14 days).")).toBeVisible();
  await sprints.getByRole("button", { name: "Start next sprint" }).click();
  await expect(table.getByRole("link", { name: "Sprint 1", exact: true })).toBeVisible();
  await expect(sprints.getByText("Creates Sprint 2: 2026-01-19 – 2026-02-01 (14 days).")).toBeVisible();
  await sprints.getByRole("button", { name: "Start next sprint" }).click();
  await expect(table.getByRole("link", { name: "Sprint 2", exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: "2026-01-19 – 2026-02-01" })).toBeVisible();

  // The sprint page: set a goal and counts; an end before the start is refused next to the field.
  await table.getByRole("link", { name: "Sprint 1", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${key}/sprints/1$`));
  await page.getByLabel("Last day").fill("2026-01-04");
  await page.getByRole("button", { name: "Save sprint" }).click();
  await expect(page.locator("#end_on-error")).toContainText("on or after the first day");
  // The refused form comes back with what was sent: correct it once that is in place.
  await hydrated(page);
  await page.getByLabel("Goal").fill("A first churn score for the pilot ward");
  await page.getByLabel("Last day").fill("2026-01-18");
  await page.getByLabel("Committed items").fill("5");
  await page.getByLabel("Completed items").fill("4");
  await page.getByRole("button", { name: "Save sprint" }).click();
  await expect(page.locator(".facts")).toContainText("Committed5");
  await expect(page.locator("p", { hasText: "A first churn score for the pilot ward" })).toBeVisible();

  // The review of sprint 1, attended by the stakeholder, with Markdown rendered safely.
  await page.goto(`/projects/${key}/sprints/1/review`);
  await expect(page.getByText("No review recorded for this sprint yet.")).toBeVisible();
  await page.getByLabel("Held on").fill("2026-01-18");
  await page.getByLabel("Outcome").selectOption("accepted");
  await page.getByLabel(admin.name).check();
  await page.getByLabel(stakeholder).check();
  await page.getByLabel("Demo summary").fill("Showed the **churn score** to the ward team.");
  await page.getByLabel("Decisions").fill("- Pilot on ward 3");
  await page.getByRole("button", { name: "Save review" }).click();
  const review = page.locator("article.review");
  await expect(review).toContainText("Held on 2026-01-18");
  await expect(review.getByText("Accepted")).toBeVisible();
  await expect(review.getByRole("listitem").filter({ hasText: stakeholder })).toBeVisible();
  await expect(review.locator("strong", { hasText: "churn score" })).toBeVisible();
  await expect(review.getByRole("listitem").filter({ hasText: "Pilot on ward 3" })).toBeVisible();

  // The retro of sprint 1: an item, a vote, and an action item for the next sprint.
  await page.goto(`/projects/${key}/sprints/1/retro`);
  await expect(page.getByText("Nothing open from earlier retrospectives.")).toBeVisible();
  await page.getByLabel("Held on").fill("2026-01-18");
  await page.getByLabel("Format").selectOption("start_stop_continue");
  await page.getByRole("button", { name: "Start retrospective" }).click();
  await page.getByLabel("New item for Start").fill("Check the input data every morning");
  await page.getByRole("button", { name: "Add to Start" }).click();
  await expect(page.getByText("Check the input data every morning")).toBeVisible();
  await expect(page.getByText("You have 3 of 3 votes left.")).toBeVisible();
  await page.getByRole("button", { name: "Vote for: Check the input data every morning" }).click();
  await expect(page.getByText("You have 2 of 3 votes left.")).toBeVisible();
  await expect(page.locator(".retro-item").getByText("1 vote", { exact: true })).toBeVisible();

  await page.locator("#action-text").fill(action);
  await page.locator("#action-owner").selectOption({ label: admin.name });
  await expect(page.locator("#action-due")).toHaveValue("2");
  await page.getByRole("button", { name: "Add action item" }).click();
  const own = page.locator("section.retro-actions");
  await expect(own.getByRole("cell", { name: action, exact: true })).toBeVisible();
  await expect(own.getByRole("cell", { name: "Sprint 2", exact: true })).toBeVisible();

  // The retro of sprint 2 opens with the still-open item, which is closed right there.
  await page.goto(`/projects/${key}/sprints/2/retro`);
  const earlier = page.locator("section.earlier-actions");
  await expect(earlier.getByRole("cell", { name: action, exact: true })).toBeVisible();
  await expect(earlier.getByRole("cell", { name: admin.name, exact: true })).toBeVisible();
  await expect(earlier.getByText("Carried on")).toBeVisible();
  await earlier.getByRole("button", { name: `Done: ${action}` }).click();
  await expect(earlier.getByText("Nothing open from earlier retrospectives.")).toBeVisible();

  // The overview shows the review's outcome and the retro for sprint 1.
  await page.goto(`/projects/${key}`);
  const row = page.locator("section.sprints tr", { has: page.getByRole("link", { name: "Sprint 1", exact: true }) });
  await expect(row.getByText("Accepted")).toBeVisible();
  await expect(row.getByRole("link", { name: "Held 2026-01-18" })).toBeVisible();
});
