// Live-board load: U people with T tabs each (one session per person, shared by their tabs, as
// in a browser) follow one retro board's event stream the way the LiveUpdates island does (on
// each `change` event, fetch the page again). It reports:
// - the server's database queries per second while everyone just watches (from /metrics),
// - the server's resident memory per open stream,
// - for each card added through the API, the time from the POST until each tab's fetched page
//   shows it.
// Run through scripts/live-bench.sh (it starts the server).
//
//   node scripts/live-bench.mjs <base url> <setup token> <server pid> [people] [tabs] [cards]

import { readFileSync } from "node:fs";

const [base, setupToken, pid, peopleArg = "50", tabsArg = "1", cardsArg = "20"] = process.argv.slice(2);
const people = Number(peopleArg);
const tabs = Number(tabsArg);
const cards = Number(cardsArg);
const viewers = people * tabs;
const password = "live bench password 1";
const idleSeconds = Number(process.env.LIVE_BENCH_IDLE_SECONDS ?? 30);

function cookieOf(res) {
  const set = res.headers.getSetCookie?.() ?? [];
  return set.map((c) => c.split(";")[0]).filter((c) => c.startsWith("touchpoint_session=")).join("; ");
}

async function form(path, fields, cookie = "") {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(fields),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

async function api(method, path, body, auth) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function residentKb() {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

const setup = await form("/api/fn/auth/setup", {
  token: setupToken, email: "admin@example.org", name: "Admin", password, confirm: password,
});
const adminCookie = cookieOf(setup);
const { token } = await api("POST", "/tokens", { name: "live bench" }, { cookie: adminCookie });
const auth = { authorization: `Bearer ${token}` };

async function queries() {
  const res = await fetch(`${base}/metrics`, { headers: auth });
  const text = await res.text();
  if (!res.ok) throw new Error(`/metrics: ${res.status} ${text}`);
  let total = 0;
  for (const m of text.matchAll(/^touchpoint_db_queries_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}

await api("POST", "/projects", { key: "bench", name: "Bench", started_on: "2026-01-05" }, auth);
await api("POST", "/projects/bench/sprints", {}, auth);
await api("PUT", "/projects/bench/sprints/1/retro", { held_on: "2026-01-12" }, auth);

// One person, one session; their tabs share it.
const sessions = [];
for (let i = 0; i < people; i++) {
  const email = `viewer${i}@example.org`;
  const user = await api("POST", "/users", { email, name: `Viewer ${i}`, role: "member", temp_password: "temporary password 1" }, auth);
  await api("POST", "/projects/bench/members", { user: user.id, role: "member" }, auth);
  const signedIn = await form("/api/fn/auth/login", { email, password: "temporary password 1" });
  const cookie = cookieOf(signedIn);
  await form("/api/fn/auth/change-password", { current: "temporary password 1", new_password: password, confirm: password }, cookie);
  const again = await form("/api/fn/auth/login", { email, password });
  sessions.push(cookieOf(again));
}

const page = `${base}/projects/bench/sprints/1/retro`;
const stream = `${base}/api/v1/projects/bench/events?board=1`;
let waitingFor = null; // { text, start, seen: Map<viewer, ms>, done }

function viewer(i, cookie) {
  let fetching = false;
  let again = false;
  const refresh = async () => {
    if (fetching) { again = true; return; }
    fetching = true;
    do {
      again = false;
      const want = waitingFor;
      const html = await (await fetch(page, { headers: { cookie } })).text();
      if (want && !want.seen.has(i) && html.includes(want.text)) {
        want.seen.set(i, performance.now() - want.start);
        if (want.seen.size === viewers) want.done();
      }
    } while (again);
    fetching = false;
  };
  return new Promise(async (opened, failed) => {
    const res = await fetch(stream, { headers: { cookie, accept: "text/event-stream" } });
    if (!res.ok) return failed(new Error(`stream ${i}: ${res.status} ${await res.text()}`));
    opened();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (event.includes("event: change")) refresh();
      }
    }
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await sleep(2000);
const rssBefore = residentKb();
const opened = [];
for (let i = 0; i < viewers; i++) {
  opened.push(viewer(i, sessions[i % people]));
  if (i % 50 === 49) await sleep(100);
}
await Promise.all(opened);
await sleep(5000);
const rssOpen = residentKb();

// Everyone watches; nobody writes.
const q0 = await queries();
await sleep(idleSeconds * 1000);
const q1 = await queries();
// The two /metrics requests are not database queries; nothing else ran.
const idleRate = (q1 - q0) / idleSeconds;

const worst = [];
const all = [];
let incomplete = 0;
for (let n = 1; n <= cards; n++) {
  const text = `Card ${n} ${Math.random().toString(36).slice(2)}`;
  const done = new Promise((resolve) => {
    waitingFor = { text, start: performance.now(), seen: new Map(), done: resolve };
  });
  await api("POST", "/projects/bench/sprints/1/retro/items", { column: "start", text }, auth);
  const timeout = new Promise((r) => setTimeout(() => r("timeout"), 60_000));
  if ((await Promise.race([done, timeout])) === "timeout") {
    incomplete++;
    console.log(`card ${n}: only ${waitingFor.seen.size} of ${viewers} tabs saw it within 60 s`);
  }
  const times = [...waitingFor.seen.values()];
  all.push(...times);
  worst.push(Math.max(...times));
  await sleep(200);
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
console.log(`streams: ${viewers} (${people} people x ${tabs} tabs, one session per person) on one board`);
console.log(`database queries while idle: ${idleRate.toFixed(1)} per second (${idleSeconds} s)`);
console.log(`resident memory: ${(rssBefore / 1024).toFixed(0)} MB before the streams, ${(rssOpen / 1024).toFixed(0)} MB with them open: ${((rssOpen - rssBefore) / viewers).toFixed(1)} KB per stream`);
console.log(`cards: ${cards}; each tab fetches the page on every change, as the browser does`);
console.log(`time from POST to the card on a tab's fetched page (ms):`);
console.log(`  all tabs: median ${pct(all, 50).toFixed(0)}, p95 ${pct(all, 95).toFixed(0)}, max ${Math.max(...all).toFixed(0)}`);
console.log(`  last tab per card: median ${pct(worst, 50).toFixed(0)}, max ${Math.max(...worst).toFixed(0)}`);
console.log(`  cards seen by every tab within 1 s: ${worst.filter((w) => w < 1000).length} of ${cards}; not by every tab within 60 s: ${incomplete}`);
process.exit(0);
