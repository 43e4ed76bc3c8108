#!/usr/bin/env node
// What a kubelet would run for each pod of the rendered chart, as JSON on stdout: renders
// charts/bittorrent with `helm template`, expands every StatefulSet and Deployment into its pods, and
// resolves each container's environment the way Kubernetes does (downward API fields, Secret and
// ConfigMap keys, $(VAR) references in env, command and args). The container suite's smoke test
// (tests/BitTorrent.ContainerTests/ChartSmokeTests.cs) starts the images with this plan.
//
//   node podplan.mjs [-f values.yaml]... [--set key=value]... [--pod-ip 127.0.0.1]
//                    [--release bittorrent] [--namespace default]
//
// Anything the plan cannot express faithfully (envFrom, a volume other than emptyDir or a claim, a
// missing Secret key) is an error, never silently dropped.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

function parseArgs(argv) {
  const options = { values: [], sets: [], podIp: "127.0.0.1", release: "bittorrent", namespace: "default" };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case "-f": case "--values": options.values.push(next()); break;
      case "--set": options.sets.push(next()); break;
      case "--pod-ip": options.podIp = next(); break;
      case "--release": options.release = next(); break;
      case "--namespace": options.namespace = next(); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return options;
}

function render(options) {
  const helm = process.env.HELM || join(root, ".tools", "bin", "helm");
  const home = join(root, "artifacts", "chart-smoke", "helm");
  mkdirSync(home, { recursive: true });
  const args = ["template", options.release, join(root, "charts", "bittorrent"), "--namespace", options.namespace];
  for (const f of options.values) args.push("-f", f);
  for (const s of options.sets) args.push("--set", s);
  const r = spawnSync(helm, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: join(home, "cache"), HELM_CONFIG_HOME: join(home, "config"), HELM_DATA_HOME: join(home, "data") },
  });
  if (r.error) throw new Error(`cannot run ${helm} (install it with tests/chart/tools.sh): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
  return parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length) throw new Error(`rendered YAML: ${d.errors[0].message}`);
    return d.toJS();
  }).filter(Boolean);
}

/** Kubernetes' $(VAR) expansion: defined names are replaced, $$ escapes, anything else stays as written. */
function expand(text, vars) {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name) => {
    if (match === "$$") return "$";
    return Object.hasOwn(vars, name) ? vars[name] : match;
  });
}

function keyOf(objects, kind, ref, what) {
  const source = objects.find((o) => o.kind === kind && o.metadata.name === ref.name);
  const data = { ...(source?.stringData ?? {}) };
  for (const [k, v] of Object.entries(source?.data ?? {})) data[k] = kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v;
  if (Object.hasOwn(data, ref.key)) return data[ref.key];
  if (ref.optional) return undefined;
  throw new Error(`${what}: ${kind} ${ref.name} key ${ref.key} is not in the rendered chart`);
}

function fieldValue(fieldPath, pod, options) {
  switch (fieldPath) {
    case "metadata.name": return pod.name;
    case "metadata.namespace": return options.namespace;
    case "status.podIP": return options.podIp;
    case "status.hostIP": return options.podIp;
    case "spec.nodeName": return "smoke-node";
    case "spec.serviceAccountName": return pod.serviceAccountName ?? "default";
    default: throw new Error(`${pod.name}: fieldRef ${fieldPath} is not supported by the plan`);
  }
}

function resolveEnv(container, pod, objects, options) {
  if (container.envFrom) throw new Error(`${pod.name}/${container.name}: envFrom is not supported by the plan`);
  const vars = {};
  const env = [];
  for (const e of container.env ?? []) {
    let value;
    if (e.valueFrom?.fieldRef) value = fieldValue(e.valueFrom.fieldRef.fieldPath, pod, options);
    else if (e.valueFrom?.secretKeyRef) value = keyOf(objects, "Secret", e.valueFrom.secretKeyRef, `${pod.name} env ${e.name}`);
    else if (e.valueFrom?.configMapKeyRef) value = keyOf(objects, "ConfigMap", e.valueFrom.configMapKeyRef, `${pod.name} env ${e.name}`);
    else if (e.valueFrom) throw new Error(`${pod.name} env ${e.name}: ${Object.keys(e.valueFrom)[0]} is not supported by the plan`);
    else value = expand(String(e.value ?? ""), vars);
    if (value === undefined) continue;
    vars[e.name] = value;
    env.push({ name: e.name, value });
  }
  return { env, vars };
}

function probe(p, container) {
  if (!p) return null;
  const timing = {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
  };
  if (p.exec) return { exec: p.exec.command, ...timing };
  const portOf = (port) => {
    if (typeof port === "number") return port;
    const named = (container.ports ?? []).find((cp) => cp.name === port);
    if (!named) throw new Error(`${container.name}: probe port ${port} is not a named container port`);
    return named.containerPort;
  };
  if (p.httpGet) return { httpGet: { path: p.httpGet.path ?? "/", port: portOf(p.httpGet.port), scheme: p.httpGet.scheme ?? "HTTP" }, ...timing };
  if (p.tcpSocket) return { tcpSocket: { port: portOf(p.tcpSocket.port) }, ...timing };
  throw new Error(`${container.name}: unsupported probe ${JSON.stringify(p)}`);
}

function mounts(container, spec, claims, podName) {
  return (container.volumeMounts ?? []).map((m) => {
    const volume = (spec.volumes ?? []).find((v) => v.name === m.name);
    if (volume?.emptyDir) return { path: m.mountPath, volume: m.name, kind: "emptyDir", readOnly: !!m.readOnly };
    if (!volume && claims.includes(m.name)) return { path: m.mountPath, volume: m.name, kind: "persistentVolumeClaim", readOnly: !!m.readOnly };
    throw new Error(`${podName}/${container.name}: volume ${m.name} at ${m.mountPath} is not an emptyDir or a claim`);
  });
}

function plan(objects, options) {
  const workloads = [];
  for (const w of objects.filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment")) {
    const spec = w.spec.template.spec;
    const claims = (w.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name);
    const replicas = w.spec.replicas ?? 1;
    const pods = [];
    for (let i = 0; i < replicas; i++) {
      const name = w.kind === "StatefulSet" ? `${w.metadata.name}-${i}` : `${w.metadata.name}-smoke-${i}`;
      const pod = { name, serviceAccountName: spec.serviceAccountName };
      const podSecurity = spec.securityContext ?? {};
      pods.push({
        name,
        ordinal: i,
        hostNetwork: !!spec.hostNetwork,
        dnsPolicy: spec.dnsPolicy ?? "ClusterFirst",
        containers: spec.containers.map((c) => {
          const { env, vars } = resolveEnv(c, pod, objects, options);
          const security = c.securityContext ?? {};
          return {
            name: c.name,
            image: c.image,
            command: c.command ? c.command.map((a) => expand(String(a), vars)) : null,
            args: c.args ? c.args.map((a) => expand(String(a), vars)) : null,
            env,
            runAsUser: security.runAsUser ?? podSecurity.runAsUser ?? null,
            runAsGroup: security.runAsGroup ?? podSecurity.runAsGroup ?? null,
            runAsNonRoot: security.runAsNonRoot ?? podSecurity.runAsNonRoot ?? false,
            fsGroup: podSecurity.fsGroup ?? null,
            readOnlyRootFilesystem: !!security.readOnlyRootFilesystem,
            allowPrivilegeEscalation: security.allowPrivilegeEscalation ?? true,
            capabilitiesDrop: security.capabilities?.drop ?? [],
            capabilitiesAdd: security.capabilities?.add ?? [],
            ports: (c.ports ?? []).map((p) => ({ name: p.name ?? null, containerPort: p.containerPort })),
            mounts: mounts(c, spec, claims, name),
            readiness: probe(c.readinessProbe, c),
            liveness: probe(c.livenessProbe, c),
          };
        }),
      });
    }
    workloads.push({
      kind: w.kind,
      name: w.metadata.name,
      component: w.metadata.labels?.["app.kubernetes.io/component"] ?? null,
      podManagementPolicy: w.kind === "StatefulSet" ? (w.spec.podManagementPolicy ?? "OrderedReady") : "Parallel",
      pods,
    });
  }
  return { release: options.release, namespace: options.namespace, podIp: options.podIp, workloads };
}

try {
  const options = parseArgs(process.argv.slice(2));
  process.stdout.write(JSON.stringify(plan(render(options), options), null, 2) + "\n");
} catch (e) {
  process.stderr.write(`podplan: ${e.message}\n`);
  process.exit(1);
}
