import { test, expect, type Page } from "@playwright/test";
import { clickAndWait, hydrated, perAttempt } from "./support";

// Runs after 01-accounts.spec.ts on the same server: the admin exists.
test.describe.configure({ mode: "serial" });

async function signInAsAdmin(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@example.org");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects", exact: true })).toBeVisible();
}

test("a lead creates a project, shows it in the list and edits its framing", async ({ page }) => {
  const name = perAttempt("Readmission risk", " ");
  const key = perAttempt("readmission-risk");
  await signInAsAdmin(page);
  await clickAndWait(page.getByRole("link", { name: "Projects", exact: true }));
  // The form must be the new page's, hydrated: its island keeps what was typed when the server
  // refuses the form.
  await clickAndWait(page.getByRole("link", { name: "New project" }));
  await hydrated(page);

  // Invalid input gets a message next to the field, and what was typed comes back with it.
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Key").fill("Bad Key");
  await page.getByLabel("Which simpler baseline was considered?").fill("Typed before the error");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.locator("#key-error")).toContainText("lowercase letters");
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await expect(page.getByLabel("Key")).toHaveValue("Bad Key");
  await expect(page.getByLabel("Which simpler baseline was considered?")).toHaveValue("Typed before the error");

  // (Without JavaScript the form comes back empty after an error.)
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Key").fill(key);
  await page.getByLabel("Target sprint length (days)").fill("14");
  await page.getByLabel("Is machine learning needed?").selectOption("yes");
  await page.getByLabel("Which simpler baseline was considered?").fill("A rules-based checklist");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${key}$`));
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("A rules-based checklist")).toBeVisible();

  await page.goto("/projects");
  await expect(page.getByRole("link", { name })).toBeVisible();

  await page.goto(`/projects/${key}/settings`);
  await page.getByLabel("Add a member").selectOption({ label: "Morgan Member" });
  await page.getByLabel("Role", { exact: true }).last().selectOption("viewer");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("cell", { name: "Morgan Member" })).toBeVisible();
});
