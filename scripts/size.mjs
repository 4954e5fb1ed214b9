// Prints what the browser downloads from /pkg for each page of the release front end, raw and
// compressed with brotli (quality 11, as `cargo leptos build --precompress` and `make size` use),
// against the goals: at most 150 KB for /f/{token} and /login, 300 KB for the largest page.
// Run by `make size` after the release front-end build; exits non-zero above a goal.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const pkg = process.argv[2] ?? "target/site/pkg";
const files = readdirSync(pkg);
const pick = (ext) => {
  const found = files.filter((f) => f.startsWith("touchpoint.") && f.endsWith(`.${ext}`));
  if (found.length !== 1) {
    console.error(`expected one touchpoint*.${ext} in ${pkg}, found: ${found.join(", ") || "none"}`);
    process.exit(2);
  }
  return found[0];
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const measure = (name) => {
  const raw = readFileSync(join(pkg, name));
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  }).length;
  const served = existsSync(join(pkg, `${name}.br`)) ? readFileSync(join(pkg, `${name}.br`)).length : null;
  return { name, raw: raw.length, br, served };
};

// Every page loads the same three files: the shell links the stylesheet, and the islands
// loader (leptos `HydrationScripts` in islands mode) the JavaScript glue and the wasm module.
// Pages differ only in their HTML, which is not under /pkg.
const assets = ["wasm", "js", "css"].map((ext) => measure(pick(ext)));
console.log("file                                   raw        brotli-11   served .br");
for (const a of assets) {
  console.log(
    `${a.name.padEnd(38)} ${kb(a.raw).padStart(10)} ${kb(a.br).padStart(11)} ${(a.served === null ? "—" : kb(a.served)).padStart(12)}`,
  );
}
const total = assets.reduce((s, a) => s + a.br, 0);
const pages = [
  ["/f/{token}", 150],
  ["/login", 150],
  ["/ (portfolio)", 300],
  ["/projects/{key} and every other page", 300],
];
console.log("\npage                                   brotli total   goal        result");
let ok = true;
for (const [page, goal] of pages) {
  const pass = total <= goal * 1024;
  ok &&= pass;
  console.log(`${page.padEnd(38)} ${kb(total).padStart(12)}   ≤ ${String(goal).padStart(3)} KB   ${pass ? "ok" : "OVER"}`);
}
process.exit(ok ? 0 : 1);
