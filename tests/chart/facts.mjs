// Asserts facts of the rendered chart, one `PASS <name>` / `FAIL <name>: <why>` line each.
// Usage: node facts.mjs <dir>   where <dir> holds `helm template` output of the value sets in values/
// (defaults, seeds, generated-seeds and large are required; every set gets the generic checks), rendered as release "bittorrent"
// in namespace "default".
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2];
const RELEASE = "bittorrent";
const NS = "default";
const APP_VERSION = "0.1.0";
let failed = 0;

async function check(name, fn) {
  try {
    const r = await fn();
    if (typeof r === "string") throw new Error(r);
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${String(e.message ?? e).split("\n")[0]}`);
  }
}
function assert(cond, why) {
  if (!cond) throw new Error(why);
}
/** JSON with object keys sorted, so that comparisons ignore key order. */
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}
function eq(actual, expected, what) {
  const a = JSON.stringify(canon(actual)), e = JSON.stringify(canon(expected));
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

const sets = {};
for (const s of readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5)).sort()) {
  sets[s] = parseAllDocuments(readFileSync(join(dir, `${s}.yaml`), "utf8")).map((d) => d.toJS()).filter(Boolean);
}
const values = (s) => parseAllDocuments(readFileSync(new URL(`./values/${s}.yaml`, import.meta.url), "utf8"))[0]?.toJS() ?? {};
const find = (s, kind, name) => {
  const o = sets[s].find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${s}: no ${kind}/${name}`);
  return o;
};
const ring = (s) => find(s, "StatefulSet", `${RELEASE}-ring`);
const peers = (s) => find(s, "StatefulSet", `${RELEASE}-peer`);
const gateway = (s) => find(s, "Deployment", `${RELEASE}-gateway`);
const container = (w) => w.spec.template.spec.containers[0];
const env = (w) => Object.fromEntries(container(w).env.map((e) => [e.name, e.value ?? e.valueFrom]));
// A .NET TimeSpan as the services read it ("hh:mm:ss" with optional ".fff"), in seconds.
const seconds = (timespan) => {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(timespan ?? "");
  assert(m, `'${timespan}' is not a TimeSpan`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
};
const seedEnv = (w, prefix) =>
  container(w).env.filter((e) => e.name.startsWith(`${prefix}__`)).map((e) => [e.name, e.value]);
const workloads = (s) => [ring(s), peers(s), gateway(s)];
const podSpecs = (s) => [
  ...workloads(s).map((w) => [w.metadata.name, w.spec.template.spec]),
  ...sets[s].filter((o) => o.kind === "Pod").map((p) => [p.metadata.name, p.spec]),
];

// ---- ring: host network, anti-affinity, ports ------------------------------------------------
for (const s of Object.keys(sets)) {
  await check(`${s}: ring on hostNetwork with dnsPolicy ClusterFirstWithHostNet`, () => {
    const spec = ring(s).spec.template.spec;
    eq(spec.hostNetwork, true, "hostNetwork");
    eq(spec.dnsPolicy, "ClusterFirstWithHostNet", "dnsPolicy");
  });
}
await check("defaults: required pod anti-affinity on kubernetes.io/hostname, one ring pod per node", () => {
  const terms = ring("defaults").spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  assert(Array.isArray(terms) && terms.length === 1, "no required podAntiAffinity term");
  eq(terms[0].topologyKey, "kubernetes.io/hostname", "topologyKey");
  eq(terms[0].labelSelector.matchLabels, ring("defaults").spec.selector.matchLabels, "term selects the ring's pods");
});
await check("defaults: ring listens on 5101 and declares it (host port) with probes /healthz, /readyz", () => {
  const c = container(ring("defaults"));
  eq(c.args, ["--urls", "http://0.0.0.0:5101"], "args");
  eq(c.ports, [{ name: "http", containerPort: 5101, protocol: "TCP" }], "ports");
  eq([c.livenessProbe.httpGet.path, c.livenessProbe.httpGet.port], ["/healthz", "http"], "liveness");
  eq([c.readinessProbe.httpGet.path, c.readinessProbe.httpGet.port], ["/readyz", "http"], "readiness");
  eq(env(ring("defaults")).Chord__AdvertisedUrl, "http://$(POD_IP):5101", "Chord__AdvertisedUrl");
});
await check("large: user affinity kept and the anti-affinity term added", () => {
  const a = ring("large").spec.template.spec.affinity;
  assert(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, "nodeAffinity lost");
  assert(a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length === 1, "anti-affinity missing");
});
await check("seeds: antiAffinity none renders no ring anti-affinity and no fixed ring port", () => {
  const spec = ring("seeds").spec.template.spec;
  assert(!spec.affinity?.podAntiAffinity, "podAntiAffinity present");
  assert(!container(ring("seeds")).ports, "a fixed containerPort would collide between pods on one node");
  assert(!find("seeds", "Service", `${RELEASE}-ring`).spec.ports, "headless Service names a fixed port");
});

// Runs the ring container's command for an ordinal with a stand-in `dotnet` that prints what it got.
function runRingCommand(w, ordinal, podIp) {
  const c = container(w);
  assert(c.command?.[0] === "/bin/sh" && c.command[1] === "-c", `command is ${JSON.stringify(c.command)}`);
  const bin = mkdtempSync(join(tmpdir(), "fake-dotnet-"));
  try {
    writeFileSync(join(bin, "dotnet"), '#!/bin/sh\necho "ARGS=$*"\necho "ADVERTISED=$Chord__AdvertisedUrl"\n');
    chmodSync(join(bin, "dotnet"), 0o755);
    const r = spawnSync("/bin/sh", ["-c", c.command[2]], {
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/bin:/bin`, POD_NAME: `${RELEASE}-ring-${ordinal}`, POD_IP: podIp, CHORD_BASE_PORT: env(w).CHORD_BASE_PORT, LISTEN_ADDRESS: env(w).LISTEN_ADDRESS },
    });
    assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
    const args = /ARGS=(.*)/.exec(r.stdout)[1];
    const advertised = /ADVERTISED=(.*)/.exec(r.stdout)[1];
    return { args, advertised };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}
await check("seeds: every ring pod listens on and advertises its own port (5101 + ordinal)", () => {
  const w = ring("seeds");
  const n = w.spec.replicas;
  eq(n, values("seeds").ring.replicas, "replicas");
  const ports = [];
  for (let i = 0; i < n; i++) {
    const { args, advertised } = runRingCommand(w, i, "10.1.2.3");
    eq(args, `BitTorrent.ChordNode.dll --urls http://0.0.0.0:${5101 + i}`, `pod ${i} args`);
    eq(advertised, `http://10.1.2.3:${5101 + i}`, `pod ${i} advertised url`);
    ports.push(5101 + i);
  }
  eq(new Set(ports).size, n, "distinct ports");
  assert(!("Chord__AdvertisedUrl" in env(w)), "a fixed Chord__AdvertisedUrl env would contradict the port");
});

await check("seeds: every peer pod listens on and advertises its own API and transfer ports (+ ordinal)", () => {
  const w = peers("seeds"), c = container(w), e = env(w);
  assert(c.command?.[0] === "/bin/sh" && c.command[1] === "-c", `command is ${JSON.stringify(c.command)}`);
  assert(!c.ports, "a fixed containerPort would collide between pods on one node");
  assert(!find("seeds", "Service", `${RELEASE}-peer`).spec.ports, "headless peer Service names a fixed port");
  assert(!("Transfer__Port" in e) && !("Peer__ApiUrl" in e), "fixed Transfer__Port/Peer__ApiUrl env would contradict the ports");
  const bin = mkdtempSync(join(tmpdir(), "fake-dotnet-"));
  try {
    writeFileSync(join(bin, "dotnet"), '#!/bin/sh\necho "ARGS=$*"\necho "TRANSFER=$Transfer__Port"\necho "API=$Peer__ApiUrl"\n');
    chmodSync(join(bin, "dotnet"), 0o755);
    for (let i = 0; i < 3; i++) {
      const r = spawnSync("/bin/sh", ["-c", c.command[2]], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin`, POD_NAME: `${RELEASE}-peer-${i}`, POD_IP: "10.1.2.4", PEER_API_BASE_PORT: e.PEER_API_BASE_PORT, PEER_TRANSFER_BASE_PORT: e.PEER_TRANSFER_BASE_PORT, LISTEN_ADDRESS: e.LISTEN_ADDRESS },
      });
      assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
      eq(/ARGS=(.*)/.exec(r.stdout)[1], `BitTorrent.Peer.dll --urls http://0.0.0.0:${5201 + i}`, `pod ${i} args`);
      eq(/TRANSFER=(.*)/.exec(r.stdout)[1], String(7000 + i), `pod ${i} transfer port`);
      eq(/API=(.*)/.exec(r.stdout)[1], `http://10.1.2.4:${5201 + i}`, `pod ${i} api url`);
    }
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
  eq(c.readinessProbe.exec.command[0], "bash", "readiness runs bash");
  assert(c.readinessProbe.exec.command[2].includes("PEER_API_BASE_PORT") && c.readinessProbe.exec.command[2].includes("/readyz"), "readiness probes the pod's own API port");
});

// The exec probes of the distinct-port mode, run with bash against a local HTTP server.
async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}
await check("seeds: exec probes GET /healthz and /readyz on the pod's own port (bash /dev/tcp)", async () => {
  const c = container(ring("seeds"));
  const base = await freePort();
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url);
    res.writeHead(req.url === "/healthz" ? 200 : 503).end("x");
  });
  await new Promise((r) => server.listen(base + 0, "127.0.0.1", r));
  const probe = (p, ordinal) =>
    new Promise((res) => {
      const child = spawnSyncAsync("bash", [...p.exec.command.slice(1)], {
        POD_NAME: `${RELEASE}-ring-${ordinal}`, CHORD_BASE_PORT: String(base), PATH: "/usr/bin:/bin",
      });
      child.then(res);
    });
  try {
    eq(c.livenessProbe.exec.command[0], "bash", "liveness runs bash");
    eq(await probe(c.livenessProbe, 0), 0, "liveness of a live pod (200)");
    assert((await probe(c.readinessProbe, 0)) !== 0, "readiness must fail on 503");
    assert((await probe(c.livenessProbe, 1)) !== 0, "liveness must fail where nothing listens (pod 1's port)");
    eq(seen, ["/healthz", "/readyz"], "paths requested");
  } finally {
    server.close();
  }
});
function spawnSyncAsync(cmd, args, envv) {
  // The HTTP server above runs on this event loop, so the probe must not block it.
  return import("node:child_process").then(
    ({ spawn }) =>
      new Promise((res) => {
        const p = spawn(cmd, args, { env: envv, stdio: "ignore" });
        const t = setTimeout(() => p.kill("SIGKILL"), 5000);
        p.on("exit", (code) => { clearTimeout(t); res(code ?? -1); });
      }),
  );
}

// ---- seeds vs multicast ------------------------------------------------------------------------
await check("defaults: multicast on, no static seeds, peers and gateway on the host network", () => {
  for (const w of workloads("defaults")) {
    eq(env(w).Discovery__Enabled, "true", `${w.metadata.name} Discovery__Enabled`);
    eq(container(w).env.filter((e) => /Seeds__/.test(e.name)).length, 0, `${w.metadata.name} seeds`);
    eq(w.spec.template.spec.hostNetwork, true, `${w.metadata.name} hostNetwork`);
    eq(w.spec.template.spec.dnsPolicy, "ClusterFirstWithHostNet", `${w.metadata.name} dnsPolicy`);
  }
});
await check("seeds: multicast off, the given seeds on ring (Chord), peers (Tracker) and gateway (Gateway)", () => {
  const given = values("seeds").ring.seeds;
  const expect = (prefix) => given.map((u, i) => [`${prefix}__Seeds__${i}`, u]);
  eq(seedEnv(ring("seeds"), "Chord__Seeds"), expect("Chord"), "ring");
  eq(seedEnv(peers("seeds"), "Tracker__Seeds"), expect("Tracker"), "peers");
  eq(seedEnv(gateway("seeds"), "Gateway__Seeds"), expect("Gateway"), "gateway");
  for (const w of workloads("seeds")) {
    eq(env(w).Discovery__Enabled, "false", `${w.metadata.name} Discovery__Enabled`);
    if (w !== ring("seeds")) assert(!w.spec.template.spec.hostNetwork, `${w.metadata.name} needs no hostNetwork`);
  }
});
await check("generated-seeds: multicast off and no seeds give the ring pods' DNS names", () => {
  const n = ring("generated-seeds").spec.replicas;
  const names = [...Array(n).keys()].map(
    (i) => `http://${RELEASE}-ring-${i}.${RELEASE}-ring.${NS}.svc.cluster.local:5101`,
  );
  eq(seedEnv(ring("generated-seeds"), "Chord__Seeds").map((e) => e[1]), names, "Chord seeds");
  eq(seedEnv(peers("generated-seeds"), "Tracker__Seeds").map((e) => e[1]), names, "Tracker seeds");
  eq(seedEnv(gateway("generated-seeds"), "Gateway__Seeds").map((e) => e[1]), names, "Gateway seeds");
});
for (const s of Object.keys(sets)) {
  await check(`${s}: headless ring Service named by the StatefulSet, publishNotReadyAddresses`, () => {
    const svc = find(s, "Service", `${RELEASE}-ring`);
    eq(ring(s).spec.serviceName, svc.metadata.name, "serviceName");
    eq(svc.spec.clusterIP, "None", "clusterIP");
    eq(svc.spec.publishNotReadyAddresses, true, "publishNotReadyAddresses");
    eq(svc.spec.selector, ring(s).spec.selector.matchLabels, "selector");
  });
}

// ---- secret --------------------------------------------------------------------------------------
for (const s of Object.keys(sets)) {
  await check(`${s}: ring secret referenced by secretKeyRef, never inlined`, () => {
    const e = container(ring(s)).env.find((x) => x.name === "Chord__Secret");
    assert(e && e.value === undefined && e.valueFrom?.secretKeyRef, "Chord__Secret is not a secretKeyRef");
    const ref = e.valueFrom.secretKeyRef;
    const v = values(s).ring ?? {};
    if (v.existingSecret) {
      eq([ref.name, ref.key], [v.existingSecret, v.existingSecretKey ?? "ring-secret"], "reference");
      assert(!sets[s].some((o) => o.kind === "Secret"), "a Secret was created although existingSecret is set");
      return;
    }
    const secret = find(s, "Secret", ref.name);
    const plain = Buffer.from(secret.data[ref.key], "base64").toString();
    if (v.secret) eq(plain, v.secret, "secret value");
    // None given: the chart generates one (helm template cannot look the existing one up, so a fresh one).
    else assert(/^[A-Za-z0-9]{48}$/.test(plain), `generated secret "${plain}" is not 48 random characters`);
    for (const o of sets[s].filter((x) => x.kind !== "Secret")) {
      assert(!JSON.stringify(o).includes(plain), `${o.kind}/${o.metadata.name} contains the secret`);
    }
  });
  await check(`${s}: the gateway reads the ring secret from the same Secret (to verify discovery), never inlined`, () => {
    const ringRef = container(ring(s)).env.find((x) => x.name === "Chord__Secret").valueFrom.secretKeyRef;
    const e = container(gateway(s)).env.find((x) => x.name === "Gateway__RingSecret");
    assert(e && e.value === undefined && e.valueFrom?.secretKeyRef, "Gateway__RingSecret is not a secretKeyRef");
    eq([e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key], [ringRef.name, ringRef.key], "gateway's reference");
    const peerSet = sets[s].find((x) => x.kind === "StatefulSet" && x.metadata.name === `${RELEASE}-peer`);
    assert(!(peerSet && container(peerSet).env.some((x) => /Secret/.test(x.name))), "peers get a ring secret");
  });
  await check(`${s}: the ring trusts the gateway's pods (headless Service) as its proxy`, () => {
    const e = container(ring(s)).env.find((x) => x.name === "Tracker__TrustedProxies__0");
    const svc = find(s, "Service", `${RELEASE}-gateway-pods`);
    eq(svc.spec.clusterIP, "None", "gateway pods Service is headless");
    eq(svc.spec.selector, gateway(s).spec.selector.matchLabels, "selector");
    eq(e?.value, `${RELEASE}-gateway-pods.default.svc.cluster.local`, "trusted proxy");
  });
}

// ---- labels --------------------------------------------------------------------------------------
for (const s of Object.keys(sets)) {
  await check(`${s}: every object, pod template and claim template has the app.kubernetes.io labels`, () => {
    const expected = {
      "app.kubernetes.io/name": "bittorrent",
      "app.kubernetes.io/instance": RELEASE,
      "app.kubernetes.io/version": APP_VERSION,
      "app.kubernetes.io/managed-by": "Helm",
    };
    const targets = [];
    for (const o of sets[s]) {
      targets.push([`${o.kind}/${o.metadata.name}`, o.metadata.labels]);
      if (o.spec?.template) targets.push([`${o.kind}/${o.metadata.name} pod template`, o.spec.template.metadata.labels]);
      for (const t of o.spec?.volumeClaimTemplates ?? []) targets.push([`${o.kind}/${o.metadata.name} claim ${t.metadata.name}`, t.metadata.labels]);
    }
    for (const [what, labels] of targets)
      for (const [k, v] of Object.entries(expected)) eq(labels?.[k], v, `${what} ${k}`);
  });
}

// ---- environment, probes, security -----------------------------------------------------------------
await check("defaults: chord-node environment", () => {
  const e = env(ring("defaults"));
  eq(e.POD_IP, { fieldRef: { fieldPath: "status.podIP" } }, "POD_IP");
  const want = {
    Chord__Replicas: "3", Chord__SuccessorListLength: "4", Chord__StabilizeInterval: "00:00:00.500",
    Discovery__Group: "239.255.4.3", Discovery__Port: "1234", Discovery__Interface: "$(POD_IP)", Discovery__Ttl: "1",
    Tracker__CatalogPartitions: "16", Tracker__AnnounceInterval: "00:00:30.000",
  };
  for (const [k, v] of Object.entries(want)) eq(e[k], v, k);
});
await check("large: values reach the ring (12 members, replication 5, partitions 64, interface)", () => {
  const w = ring("large"), e = env(w);
  eq(w.spec.replicas, 12, "replicas");
  eq([e.Chord__Replicas, e.Chord__SuccessorListLength, e.Tracker__CatalogPartitions, e.Discovery__Interface, e.Discovery__Ttl],
    ["5", "8", "64", "10.0.0.1", "2"], "env");
  assert(seconds(e.Tracker__PeerTtl) > 60 && seconds(e.Tracker__MinAnnounceInterval) <= 60, "tracker TTLs inconsistent");
  eq(container(w).resources, values("large").ring.resources, "resources");
  eq(container(w).image, "registry.example.internal/team/bittorrent/chord-node:0.1.0-rc1", "image");
  eq(w.spec.template.spec.imagePullSecrets, [{ name: "regcred" }], "imagePullSecrets");
});
for (const s of Object.keys(sets)) {
  await check(`${s}: every $(VAR) in env refers to a variable defined before it`, () => {
    for (const w of workloads(s)) {
      const defined = new Set();
      for (const e of container(w).env) {
        for (const m of String(e.value ?? "").matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
          assert(defined.has(m[1]), `${w.metadata.name} ${e.name} uses $(${m[1]}) before it is defined`);
        defined.add(e.name);
      }
    }
  });
  await check(`${s}: pods run as uid 10001, non-root, read-only root, no privilege escalation, caps dropped, /tmp writable`, () => {
    for (const [name, spec] of podSpecs(s)) {
      eq([spec.securityContext?.runAsNonRoot, spec.securityContext?.runAsUser], [true, 10001], `${name} pod securityContext`);
      for (const c of spec.containers) {
        const sc = c.securityContext ?? {};
        eq([sc.allowPrivilegeEscalation, sc.readOnlyRootFilesystem, sc.capabilities?.drop], [false, true, ["ALL"]], `${name}/${c.name} securityContext`);
        assert(c.resources?.requests && c.resources?.limits, `${name}/${c.name} has no requests/limits`);
        if (spec.volumes) {
          const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
          assert(tmp && spec.volumes.find((v) => v.name === tmp.name)?.emptyDir, `${name}/${c.name} has no emptyDir at /tmp`);
        }
      }
    }
  });
}
await check("defaults: peers keep /data on a 10Gi claim and advertise their pod IP", () => {
  const w = peers("defaults"), c = container(w), e = env(w);
  eq(w.spec.replicas, 2, "replicas");
  const claim = w.spec.volumeClaimTemplates[0];
  eq([claim.metadata.name, claim.spec.resources.requests.storage], ["data", "10Gi"], "claim");
  assert(!("storageClassName" in claim.spec), "storageClassName set by default");
  assert(c.volumeMounts.some((m) => m.name === "data" && m.mountPath === "/data"), "/data not mounted");
  eq([e.Peer__StoragePath, e.Transfer__Port, e.Transfer__BindAddress, e.Peer__AdvertisedHost, e.Peer__ApiUrl],
    ["/data", "7000", "0.0.0.0", "$(POD_IP)", "http://$(POD_IP):5201"], "env");
  eq(c.ports.map((p) => [p.name, p.containerPort]), [["api", 5201], ["transfer", 7000]], "ports");
  eq([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, c.readinessProbe.httpGet.port], ["/healthz", "/readyz", "api"], "probes");
  eq(find("defaults", "Service", `${RELEASE}-peer`).spec.clusterIP, "None", "headless peer Service");
});
await check("defaults: each ring pod keeps its store (Chord:DataPath) on a 1Gi claim of its own", () => {
  const w = ring("defaults"), c = container(w);
  const claim = w.spec.volumeClaimTemplates[0];
  eq([claim.metadata.name, claim.spec.resources.requests.storage, claim.spec.accessModes], ["data", "1Gi", ["ReadWriteOnce"]], "claim");
  assert(!("storageClassName" in claim.spec), "storageClassName set by default");
  assert(c.volumeMounts.some((m) => m.name === "data" && m.mountPath === "/data"), "/data not mounted");
  eq(env(w).Chord__DataPath, "/data", "Chord__DataPath");
});
await check("large: the ring's storage class and size", () => {
  const claim = ring("large").spec.volumeClaimTemplates[0].spec;
  eq([claim.storageClassName, claim.resources.requests.storage], ["fast-ssd", "20Gi"], "claim");
});
await check("large: peers' storage class and size", () => {
  const claim = peers("large").spec.volumeClaimTemplates[0].spec;
  eq([claim.storageClassName, claim.resources.requests.storage], ["fast-ssd", "100Gi"], "claim");
});
await check("defaults: gateway Service 80 -> 8080, probes, no Ingress", () => {
  const svc = find("defaults", "Service", `${RELEASE}-gateway`), c = container(gateway("defaults"));
  eq([svc.spec.type, svc.spec.ports[0].port, svc.spec.ports[0].targetPort], ["ClusterIP", 80, "http"], "service");
  eq(c.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }], "ports");
  eq(c.args, ["--urls", "http://0.0.0.0:8080"], "args");
  eq([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path], ["/healthz", "/readyz"], "probes");
  eq(env(gateway("defaults")).Gateway__RequestsPerSecond, "20000", "Gateway__RequestsPerSecond");
  assert(!sets.defaults.some((o) => o.kind === "Ingress"), "Ingress rendered while disabled");
});
await check("large: Ingress with class, host and TLS to the gateway Service", () => {
  const ing = find("large", "Ingress", `${RELEASE}-gateway`);
  eq(ing.spec.ingressClassName, "nginx", "className");
  eq(ing.spec.rules[0].host, "bittorrent.example.com", "host");
  eq(ing.spec.tls, [{ secretName: "bittorrent-tls", hosts: ["bittorrent.example.com"] }], "tls");
  eq(ing.spec.rules[0].http.paths[0].backend.service, { name: `${RELEASE}-gateway`, port: { name: "http" } }, "backend");
  eq(gateway("large").spec.replicas, 3, "gateway replicas");
  assert(!gateway("large").spec.template.spec.hostNetwork, "gateway.hostNetwork false not honoured");
});
await check("defaults: helm test pod curls the gateway's /readyz and /api/tracker/ring", () => {
  const pod = find("defaults", "Pod", `${RELEASE}-gateway-test`);
  eq(pod.metadata.annotations["helm.sh/hook"], "test", "hook");
  eq(pod.spec.containers[0].image, "curlimages/curl:8.11.1", "image");
  const script = pod.spec.containers[0].command.join(" ");
  assert(script.includes("$GATEWAY/readyz") && script.includes("$GATEWAY/api/tracker/ring"), "paths not curled");
  eq(pod.spec.containers[0].env[0].value, `http://${RELEASE}-gateway.${NS}.svc.cluster.local:80`, "gateway URL");
});

// ---- operations: scrape annotations, ServiceMonitor, dashboard, OTLP ------------------------------------------
const podAnnotations = (w) => w.spec.template.metadata.annotations ?? {};
await check("defaults: every pod carries Prometheus scrape annotations with its own port and /metrics", () => {
  eq(Object.fromEntries(Object.entries(podAnnotations(ring("defaults"))).filter(([k]) => k.startsWith("prometheus.io/"))),
    { "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics", "prometheus.io/port": "5101" }, "ring");
  eq(podAnnotations(peers("defaults"))["prometheus.io/port"], "5201", "peer port");
  eq(podAnnotations(gateway("defaults"))["prometheus.io/port"], "8080", "gateway port");
  for (const w of workloads("defaults")) eq(podAnnotations(w)["prometheus.io/scrape"], "true", `${w.metadata.name} scrape`);
  assert("checksum/secret" in podAnnotations(ring("defaults")), "the ring's secret checksum annotation was lost");
});
await check("seeds: pods with a port of their own (port + ordinal) are annotated without a port", () => {
  for (const w of [ring("seeds"), peers("seeds")]) {
    eq(podAnnotations(w)["prometheus.io/scrape"], "true", `${w.metadata.name} scrape`);
    assert(!("prometheus.io/port" in podAnnotations(w)), `${w.metadata.name} names a port its pods do not all have`);
  }
});
await check("defaults: no ServiceMonitor, no dashboard and no OTLP export unless asked for", () => {
  assert(!sets.defaults.some((o) => o.kind === "ServiceMonitor"), "ServiceMonitor rendered");
  assert(!sets.defaults.some((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard), "dashboard rendered");
  for (const w of workloads("defaults")) assert(!("OTEL_EXPORTER_OTLP_ENDPOINT" in env(w)), `${w.metadata.name} exports OTLP`);
});
await check("monitoring: the ServiceMonitor scrapes /metrics of the ring and gateway (port http) and the peers (port api)", () => {
  const sm = find("monitoring", "ServiceMonitor", RELEASE);
  eq(sm.apiVersion, "monitoring.coreos.com/v1", "apiVersion");
  eq(sm.metadata.labels.release, "kube-prometheus-stack", "extra label");
  eq(sm.spec.namespaceSelector, { matchNames: [NS] }, "namespace");
  eq(sm.spec.endpoints, [
    { port: "http", path: "/metrics", interval: "15s", scrapeTimeout: "10s" },
    { port: "api", path: "/metrics", interval: "15s", scrapeTimeout: "10s" },
  ], "endpoints");
  // It selects exactly the chart's Services with those ports: the ring's and the peers' headless ones and the gateway's.
  const selected = sets.monitoring.filter((o) => o.kind === "Service"
    && Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
  const scraped = selected.filter((svc) => (svc.spec.ports ?? []).some((p) => ["http", "api"].includes(p.name))).map((svc) => svc.metadata.name).sort();
  eq(scraped, [`${RELEASE}-gateway`, `${RELEASE}-peer`, `${RELEASE}-ring`], "scraped Services");
  for (const w of workloads("monitoring")) assert(!("prometheus.io/scrape" in podAnnotations(w)), "annotations rendered while off");
});
await check("monitoring: the dashboard ConfigMap has the sidecar label and the chart's dashboard, which parses", () => {
  const cm = find("monitoring", "ConfigMap", `${RELEASE}-dashboard`);
  eq([cm.metadata.labels.grafana_dashboard, cm.metadata.labels.team], ["1", "storage"], "labels");
  eq(cm.metadata.annotations, { grafana_folder: "BitTorrent" }, "annotations");
  const rendered = JSON.parse(cm.data["bittorrent.json"]);
  const file = JSON.parse(readFileSync(new URL("../../charts/bittorrent/dashboards/bittorrent.json", import.meta.url), "utf8"));
  eq(rendered, file, "dashboard");
});
await check("monitoring: every pod exports metrics and traces over OTLP to the collector", () => {
  for (const w of workloads("monitoring")) {
    eq([env(w).OTEL_EXPORTER_OTLP_ENDPOINT, env(w).OTEL_EXPORTER_OTLP_PROTOCOL], ["http://otel-collector.monitoring:4318", "http/protobuf"], w.metadata.name);
  }
});

console.log(`facts: ${failed} failed`);
process.exit(failed ? 1 : 0);
