// Checks the Grafana dashboard of the chart (charts/bittorrent/dashboards/bittorrent.json), one PASS/FAIL line each:
//  - it parses, has a uid, a title and panels, and every panel (rows aside) has at least one query;
//  - every metric a query names is one the services export: the names in fixtures/metrics/*.txt, which the
//    integration test MetricsEndpointTests writes from real /metrics scrapes and fails on when they go stale.
// Usage: node dashboard.mjs
import { readFileSync, readdirSync } from "node:fs";

const dashboardFile = new URL("../../charts/bittorrent/dashboards/bittorrent.json", import.meta.url);
const fixtures = new URL("./fixtures/metrics/", import.meta.url);
let failed = 0;
function check(name, fn) {
  try {
    const r = fn();
    if (typeof r === "string") throw new Error(r);
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${String(e.message ?? e).split("\n")[0]}`);
  }
}

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan"]);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords, label names or values. */
export function metricNames(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals (label values)
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // grouping label lists
  const names = new Set();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\(?))/g)) {
    const [token] = m;
    const isCall = m[1] === "(";
    if (isCall || KEYWORDS.has(token.toLowerCase()) || /^\d/.test(token)) continue;
    names.add(token);
  }
  return [...names];
}

let dashboard;
check("dashboard: bittorrent.json parses as JSON", () => {
  dashboard = JSON.parse(readFileSync(dashboardFile, "utf8"));
});

const exported = new Map(); // name -> services
check("dashboard: fixtures of exported metric names are there (tests/chart/fixtures/metrics)", () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith(".txt"));
  for (const service of ["chord-node", "gateway", "peer"]) if (!files.includes(`${service}.txt`)) return `no ${service}.txt`;
  for (const f of files) {
    for (const name of readFileSync(new URL(f, fixtures), "utf8").split("\n").filter(Boolean)) {
      exported.set(name, [...(exported.get(name) ?? []), f.slice(0, -4)]);
    }
  }
  if (exported.size < 20) return `only ${exported.size} names`;
});

if (dashboard) {
  const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== "row");
  check("dashboard: has a uid, a title, a Prometheus data source variable and panels", () => {
    if (!dashboard.uid || !dashboard.title) return "no uid or title";
    if (!dashboard.templating?.list?.some((v) => v.type === "datasource" && v.query === "prometheus")) return "no datasource variable";
    if (panels.length < 10) return `only ${panels.length} panels`;
  });
  for (const panel of panels) {
    check(`dashboard panel "${panel.title}": queries name only exported metrics`, () => {
      const exprs = (panel.targets ?? []).map((t) => t.expr).filter(Boolean);
      if (exprs.length === 0) return "no query";
      for (const expr of exprs) {
        const names = metricNames(expr);
        if (names.length === 0) return `names no metric: ${expr}`;
        const unknown = names.filter((n) => !exported.has(n));
        if (unknown.length) return `${unknown.join(", ")} not exported by any service (in: ${expr})`;
      }
    });
  }
  check("dashboard: the ring, the tracker and the peers each have panels", () => {
    const rows = (dashboard.panels ?? []).filter((p) => p.type === "row").map((p) => p.title);
    for (const want of ["Ring", "Tracker", "Peers"]) if (!rows.includes(want)) return `no row "${want}" (rows: ${rows.join(", ")})`;
  });
}
// The extraction itself, on queries whose names are known.
check("dashboard.mjs: metric names are read from PromQL (functions, labels, ranges and groupings left out)", () => {
  const got = metricNames('histogram_quantile(0.99, sum by (le, rpc_method) (rate(rpc_client_duration_seconds_bucket{error_type!="x",a=~"b|c"}[$__rate_interval]))) / on(instance) up');
  if (JSON.stringify(got.sort()) !== JSON.stringify(["rpc_client_duration_seconds_bucket", "up"])) return `got ${JSON.stringify(got)}`;
});
process.exit(failed ? 1 : 0);
