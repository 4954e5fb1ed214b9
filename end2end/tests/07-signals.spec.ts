import { test, expect, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { clickAndWait, perAttempt } from "./support";

// Runs after 01-accounts.spec.ts on the same server: the admin exists.
test.describe.configure({ mode: "serial" });

// A failed test runs once more, with the file's other test: a retry gets a project (and an
// interviewee) of its own.
const journey = { name: "Flag journey", key: "flag-journey", nurse: "Pilot nurse" };
test.beforeAll(() => {
  journey.name = perAttempt("Flag journey", " ");
  journey.key = perAttempt("flag-journey");
  journey.nurse = perAttempt("Pilot nurse", " ");
});

const day = (offset: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

async function signInAsAdmin(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@example.org");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Projects", exact: true })).toBeVisible();
}

function row(page: Page) {
  return page.getByRole("row", { name: journey.name });
}

async function m2(page: Page) {
  await page.goto("/reports");
  return row(page).locator("td").nth(2);
}

async function schedule(page: Page, when: string, participant: "new" | "existing") {
  await page.goto(`/projects/${journey.key}/interviews`);
  if (participant === "new") {
    await page.getByLabel("Their name").fill(journey.nurse);
    await page.getByLabel("Their function").selectOption("end_user");
  } else {
    await page.getByLabel("Participants (from the directory)").selectOption({ label: `${journey.nurse} — End user` });
  }
  await page.getByLabel("Date and time").fill(when);
  await page.getByRole("button", { name: "Schedule interview" }).click();
  // Wait for the interview to be in the schedule before leaving the page: navigating away
  // at once can cancel the request.
  const local = when.replace("T", " ");
  await expect(page.locator("table.interview-table tr", { hasText: local }).first()).toBeVisible();
}

test("the dashboard flags a project that has lost its end users, and clears as contact resumes", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/projects/new");
  await page.getByLabel("Name").fill(journey.name);
  await page.getByLabel("Key").fill(journey.key);
  await page.getByLabel("Started on").fill(day(-20));
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${journey.key}$`));
  // The project page names the reason.
  await expect(page.getByText("Lacking end-user contact.")).toBeVisible();

  // 20 days old, no contact: the red flag, with its reason on the row.
  await page.goto("/reports");
  await expect(row(page)).toContainText("No end-user contact");
  await expect(row(page).locator("td").nth(2)).toContainText("Red");
  await page.goto("/projects");
  await expect(row(page)).toContainText("No end-user contact");

  // A completed interview with an end user yesterday: the red flag goes, M2 turns amber
  // because nothing is scheduled.
  await schedule(page, `${day(-1)}T10:00`, "new");
  // ("Completed" alone would also find the button on the page being left.)
  await clickAndWait(page.getByRole("button", { name: "Mark completed" }).first());
  await expect(page.locator("table.interview-table .badge", { hasText: "Completed" }).first()).toBeVisible();
  let cell = await m2(page);
  await expect(row(page)).not.toContainText("No end-user contact");
  await expect(cell).toContainText("Amber");

  // An end-user interview next week: M2 turns green.
  await schedule(page, `${day(7)}T10:00`, "existing");
  cell = await m2(page);
  await expect(cell).toContainText("Green");
});

test("the portfolio CSV downloads and parses", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/reports");
  // The "As of" field shows the date in force, the one the table says it is as of.
  const asOf = await page.getByLabel("As of").inputValue();
  expect(asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await expect(page.getByText(`as of ${asOf}`)).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const file = await (await download).path();
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  expect(header.slice(0, 4)).toEqual(["key", "name", "status", "as_of"]);
  const flag = lines.find((l) => l.startsWith(`${journey.key},`));
  expect(flag, "a row for the project").toBeTruthy();
  const cells = flag!.split(",");
  expect(cells[header.indexOf("m2_end_users")]).toBe("green");
  expect(cells[header.indexOf("as_of")]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});
