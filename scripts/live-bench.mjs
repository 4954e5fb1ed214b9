// Live-board latency: N viewers (separate sessions) follow one retro board's event stream the
// way the LiveUpdates island does (on each `change` event, fetch the page again); a card is
// added through the API, and each viewer's time from the POST to a fetched page that shows
// the card is recorded. Run through scripts/live-bench.sh (it starts the server).
//
//   node scripts/live-bench.mjs <base url> <setup token> [viewers] [cards]

const [base, setupToken, viewersArg = "50", cardsArg = "20"] = process.argv.slice(2);
const viewers = Number(viewersArg);
const cards = Number(cardsArg);
const password = "live bench password 1";

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

const setup = await form("/api/fn/auth/setup", {
  token: setupToken, email: "admin@example.org", name: "Admin", password, confirm: password,
});
const adminCookie = cookieOf(setup);
const { token } = await api("POST", "/tokens", { name: "live bench" }, { cookie: adminCookie });
const auth = { authorization: `Bearer ${token}` };
await api("POST", "/projects", { key: "bench", name: "Bench", started_on: "2026-01-05" }, auth);
await api("POST", "/projects/bench/sprints", {}, auth);
await api("PUT", "/projects/bench/sprints/1/retro", { held_on: "2026-01-12" }, auth);

// One session per viewer (each sign-in is a session of its own).
const sessions = [];
for (let i = 0; i < viewers; i++) {
  const res = await form("/api/fn/auth/login", { email: "admin@example.org", password });
  sessions.push(cookieOf(res));
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
    if (!res.ok) return failed(new Error(`stream ${i}: ${res.status}`));
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

await Promise.all(sessions.map((cookie, i) => viewer(i, cookie)));
const here = await (await fetch(page, { headers: { cookie: sessions[0] } })).text();
await new Promise((r) => setTimeout(r, 500));

const worst = [];
const all = [];
for (let n = 1; n <= cards; n++) {
  const text = `Card ${n} ${Math.random().toString(36).slice(2)}`;
  const done = new Promise((resolve) => {
    waitingFor = { text, start: performance.now(), seen: new Map(), done: resolve };
  });
  await api("POST", "/projects/bench/sprints/1/retro/items", { column: "start", text }, auth);
  const timeout = new Promise((r) => setTimeout(() => r("timeout"), 10_000));
  if ((await Promise.race([done, timeout])) === "timeout") {
    console.log(`card ${n}: only ${waitingFor.seen.size} of ${viewers} viewers saw it within 10 s`);
  }
  const times = [...waitingFor.seen.values()];
  all.push(...times);
  worst.push(Math.max(...times));
  await new Promise((r) => setTimeout(r, 200));
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
console.log(`viewers: ${viewers} (separate sessions, each on the board's event stream)`);
console.log(`cards: ${cards}; each viewer fetches the page on every change, as the browser does`);
console.log(`presence line on the page: ${/people on this board|Live/.test(here) ? "rendered by the island" : "n/a"}`);
console.log(`time from POST to the card on a viewer's fetched page (ms):`);
console.log(`  all viewers: median ${pct(all, 50).toFixed(0)}, p95 ${pct(all, 95).toFixed(0)}, max ${Math.max(...all).toFixed(0)}`);
console.log(`  last viewer per card: median ${pct(worst, 50).toFixed(0)}, max ${Math.max(...worst).toFixed(0)}`);
console.log(`  cards seen by all ${viewers} within 1 s: ${worst.filter((w) => w < 1000).length} of ${cards}`);
process.exit(0);
