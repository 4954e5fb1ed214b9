import { test, expect, type Page } from "@playwright/test";
import { hydrated } from "./support";

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
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Projects", exact: true }).click();
  await page.getByRole("link", { name: "New project" }).click();
  await hydrated(page);

  // Invalid input gets a message next to the field, and what was typed comes back with it.
  await page.getByLabel("Name").fill("Readmission risk");
  await page.getByLabel("Key").fill("Bad Key");
  await page.getByLabel("Which simpler baseline was considered?").fill("Typed before the error");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.locator("#key-error")).toContainText("lowercase letters");
  await expect(page.getByLabel("Name")).toHaveValue("Readmission risk");
  await expect(page.getByLabel("Key")).toHaveValue("Bad Key");
  await expect(page.getByLabel("Which simpler baseline was considered?")).toHaveValue("Typed before the error");

  // (Without JavaScript the form comes back empty after an error.)
  await page.getByLabel("Name").fill("Readmission risk");
  await page.getByLabel("Key").fill("readmission-risk");
  await page.getByLabel("Target sprint length (days)").fill("14");
  await page.getByLabel("Is machine learning needed?").selectOption("yes");
  await page.getByLabel("Which simpler baseline was considered?").fill("A rules-based checklist");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/readmission-risk$/);
  await expect(page.getByRole("heading", { name: "Readmission risk" })).toBeVisible();
  await expect(page.getByText("A rules-based checklist")).toBeVisible();

  await page.goto("/projects");
  await expect(page.getByRole("link", { name: "Readmission risk" })).toBeVisible();

  await page.goto("/projects/readmission-risk/settings");
  await page.getByLabel("Add a member").selectOption({ label: "Morgan Member" });
  await page.getByLabel("Role", { exact: true }).last().selectOption("viewer");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("cell", { name: "Morgan Member" })).toBeVisible();
});
