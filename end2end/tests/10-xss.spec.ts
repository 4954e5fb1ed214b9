import { test, expect, type Page, type APIRequestContext } from "@playwright/test";
import { hydrated, perAttempt, signInAsAdmin } from "./support";

// Stores a corpus of script-injection payloads in every free-text field through the REST API,
// then opens every page that shows them in Chromium. A payload that runs sets `window.__xss`;
// any Content-Security-Policy violation (markup that got through and was only stopped by the
// policy) is collected too. Either fails the test.
test.describe.configure({ mode: "serial" });

// `JS` stands for the code a payload tries to run; each payload gets its own number.
const TEMPLATES = [
  "<script>JS</script>",
  "<img src=x onerror=\"JS\">",
  "<svg onload=\"JS\">",
  "<svg><script>JS</script></svg>",
  "\"><script>JS</script>",
  "'><img src=x onerror=JS>",
  "javascript:JS",
  "[click me](javascript:JS)",
  "[click me](javascript&#58;JS)",
  "![x](x\" onerror=\"JS)",
  "<a href=\"javascript:JS\">link</a>",
  "<iframe srcdoc=\"<script>parent.JS</script>\"></iframe>",
  "<body onload=JS>",
  "<details open ontoggle=JS>",
  "<input autofocus onfocus=JS>",
  "<math><mtext><table><mglyph><style><img src=x onerror=JS>",
  "</textarea><script>JS</script>",
  "</title><script>JS</script>",
  "</script><script>JS</script>",
  "<object data=\"javascript:JS\"></object>",
  "<embed src=\"javascript:JS\">",
  "<meta http-equiv=\"refresh\" content=\"0;url=javascript:JS\">",
  "{{constructor.constructor('JS')()}}",
  "${JS}",
  "<scr<script>ipt>JS</scr</script>ipt>",
  "<video><source onerror=\"JS\"></video>",
  "<audio src=x onerror=JS>",
  "<!--<img src=\"--><img src=x onerror=JS//\">",
  "<a href=\"&#106;avascript:JS\">entity link</a>",
  "[data](data:text/html,<script>JS</script>)",
  "<style>*{background:url('javascript:JS')}</style>",
  "<img src=x onerror=JS> **bold** _em_",
  "<x onclick=JS autofocus tabindex=1 onfocus=JS>",
  "\u2028<script>JS</script>",
];
const PAYLOADS = TEMPLATES.map((t, i) => t.replaceAll("JS", `window.__xss=${i + 1}`));
let next = 0;
/** The next payload, cycling through the corpus, shortened to fit `max` characters. */
function p(max = 2000): string {
  const v = PAYLOADS[next % PAYLOADS.length];
  next += 1;
  return v.slice(0, max);
}

// A failed test runs once more: a retry gets a project of its own.
let KEY = "xss-journey";
test.beforeAll(() => {
  KEY = perAttempt("xss-journey");
});
let stakeholderId = "";
let interviewId = "";
let linkUrl = "";

async function send(api: APIRequestContext, method: "POST" | "PATCH" | "PUT", path: string, data: unknown) {
  const res = await api.fetch(`/api/v1${path}`, { method, data });
  const text = await res.text();
  expect(res.status(), `${method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(300);
  return text ? JSON.parse(text) : {};
}

/** Watches a page for payloads that run and for CSP violations. */
async function watch(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  return dialogs;
}

async function check(page: Page, path: string, found: string[]) {
  const res = await page.goto(path);
  expect(res?.status(), path).toBeLessThan(400);
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  // Focus and hover everything once, so that focus/hover handlers would fire.
  await page.keyboard.press("Tab");
  const state = await page.evaluate(() => {
    const w = window as unknown as { __xss?: number; __csp?: string[] };
    return { xss: w.__xss, csp: w.__csp ?? [] };
  });
  if (state.xss !== undefined) found.push(`${path}: payload ${state.xss} ran: ${PAYLOADS[state.xss - 1]}`);
  for (const v of state.csp) found.push(`${path}: CSP violation: ${v}`);
}

test("script-injection payloads in every text field never run on any page", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const dialogs = await watch(page);
  await signInAsAdmin(page);
  const api = page.request;
  const today = new Date().toISOString().slice(0, 10);

  await send(api, "POST", "/projects", {
    key: KEY,
    name: p(100),
    problem_statement: p(),
    end_users: p(),
    baseline_considered: p(),
    ml_needed: "yes",
  });
  await send(api, "PATCH", `/projects/${KEY}`, { problem_statement: p(), end_users: p() });
  const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  const end = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  await send(api, "POST", `/projects/${KEY}/sprints`, { name: p(100), goal: p(), notes: p(), start_on: start, end_on: end });
  const sh = await send(api, "POST", "/stakeholders", {
    name: p(100),
    function: "end_user",
    title: p(100),
    organization: p(100),
    notes: p(),
    project: KEY,
  });
  stakeholderId = String(sh.id);
  await send(api, "PUT", `/projects/${KEY}/sprints/1/review`, {
    held_on: today,
    outcome: "accepted",
    summary: p(),
    decisions: p(),
    attendee_stakeholders: [stakeholderId],
  });
  await send(api, "PUT", `/projects/${KEY}/sprints/1/retro`, { held_on: today, format: "start_stop_continue" });
  for (const column of ["start", "stop", "continue"]) {
    await send(api, "POST", `/projects/${KEY}/sprints/1/retro/items`, { column, text: p() });
  }
  await send(api, "POST", `/projects/${KEY}/sprints/1/retro/action-items`, { text: p() });
  await send(api, "POST", `/projects/${KEY}/dq-issues`, {
    dataset: p(100),
    description: p(),
    dimension: "completeness",
    severity: "high",
    opened_on: today,
  });
  const interview = await send(api, "POST", `/projects/${KEY}/interviews`, {
    kind: "discovery",
    scheduled_local: `${today}T10:00`,
    time_zone: "UTC",
    notes: p(),
    new_participant_name: p(100),
    new_participant_function: "end_user",
  });
  interviewId = String(interview.id);
  await send(api, "POST", `/projects/${KEY}/interviews/${interviewId}/insights`, { text: p(), tags: [p(40)] });
  // The rest of the corpus goes into feedback bodies and author names, one item each.
  while (next < PAYLOADS.length * 2) {
    const fb = await send(api, "POST", `/projects/${KEY}/feedback`, {
      body: p(),
      author_name: p(100),
      category: "other",
      channel: "team",
      given_on: today,
      rating: 3,
    });
    if (next % 6 === 0) await send(api, "PATCH", `/projects/${KEY}/feedback/${fb.id}`, { status: "acknowledged", response: p() });
  }
  await send(api, "POST", "/tokens", { name: p(80) });
  const invite = await send(api, "POST", `/projects/${KEY}/invites`, { expires_in_days: 7 });
  linkUrl = String(invite.url);
  expect(next, "every payload stored at least once").toBeGreaterThanOrEqual(PAYLOADS.length);

  const found: string[] = [];
  for (const path of [
    "/",
    "/projects",
    `/projects/${KEY}`,
    `/projects/${KEY}/settings`,
    `/projects/${KEY}/sprints/1`,
    `/projects/${KEY}/sprints/1/review`,
    `/projects/${KEY}/sprints/1/retro`,
    `/projects/${KEY}/data-quality`,
    `/projects/${KEY}/interviews`,
    `/projects/${KEY}/interviews?interview=${encodeURIComponent(interviewId)}`,
    `/projects/${KEY}/feedback`,
    `/projects/${KEY}/report`,
    "/stakeholders",
    `/stakeholders/${encodeURIComponent(stakeholderId)}`,
    "/interviews",
    "/reports",
    "/reports/diversity",
    "/me",
    "/admin/audit",
  ]) {
    await check(page, path, found);
  }

  // The public invite page, in a browser with no session, after a stakeholder sent a payload.
  const stakeholder = await browser.newContext();
  const phone = await stakeholder.newPage();
  const phoneDialogs = await watch(phone);
  await phone.goto(linkUrl);
  await hydrated(phone);
  await phone.getByLabel("Your comment").fill(PAYLOADS[0]);
  await phone.getByLabel("Your name (optional)").fill(PAYLOADS[1]);
  await phone.getByRole("button", { name: "Send feedback" }).click();
  await expect(phone.getByText("Thank you! Your feedback was sent to the team.")).toBeVisible();
  await check(phone, new URL(linkUrl).pathname, found);
  await stakeholder.close();
  await check(page, `/projects/${KEY}/feedback`, found);

  expect([...dialogs, ...phoneDialogs], "no dialog opened").toEqual([]);
  expect(found, found.join("\n")).toEqual([]);
});
