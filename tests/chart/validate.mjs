// Validates rendered Kubernetes manifests (the output of `helm template`), one PASS/FAIL line per object:
//  - types, required fields and enums: the kubernetes-models class of the object's kind, .validate();
//  - unknown fields (which kubernetes-models lets through): every field is walked against the field
//    lists (static attributeTypeMap) of @kubernetes/client-node's models, recursing by type;
//  - custom resources (the prometheus-operator's ServiceMonitor): types, required fields and enums by the
//    @kubernetes-models package of their API group (client-node has no models of them to walk).
// Usage: node validate.mjs <label> <rendered.yaml>   (exit code 1 if any object failed)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";
import * as client from "@kubernetes/client-node";

const require = createRequire(import.meta.url);
const [label, file] = process.argv.slice(2);
if (!label || !file) {
  console.error("usage: node validate.mjs <label> <rendered.yaml>");
  process.exit(2);
}

/** API groups of custom resources, and the @kubernetes-models package that has their classes. */
const CUSTOM = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };
const isCustom = (apiVersion) => apiVersion.split("/")[0] in CUSTOM;

/** kubernetes-models module of an apiVersion: "v1" -> kubernetes-models/v1, "apps/v1" -> kubernetes-models/apps/v1. */
function modelClass(apiVersion, kind) {
  const mod = require(isCustom(apiVersion) ? `${CUSTOM[apiVersion.split("/")[0]]}/${apiVersion}` : `kubernetes-models/${apiVersion}`);
  const cls = mod[kind];
  if (typeof cls !== "function") throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
  return cls;
}

/** @kubernetes/client-node model name: apps/v1 StatefulSet -> V1StatefulSet, policy/v1beta1 X -> V1beta1X. */
function clientModelName(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

const LEAF = new Set(["string", "number", "boolean", "Date", "any", "object", "IntOrString", "Buffer"]);

/** Returns the paths of fields that the client-node model of `type` does not know. */
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined || LEAF.has(type)) return out;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, m[1], `${path}[${i}]`, out));
    return out;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) unknownFields(v, m[1], `${path}.${k}`, out);
    return out;
  }
  const model = client[type];
  if (!model || !Array.isArray(model.attributeTypeMap)) {
    out.push(`${path}: no client-node model ${type}`);
    return out;
  }
  if (typeof value !== "object" || Array.isArray(value)) return out; // a type error: kubernetes-models reports it
  const fields = new Map(model.attributeTypeMap.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) out.push(`${path}.${k}: unknown field of ${type}`);
    else unknownFields(v, fields.get(k), `${path}.${k}`, out);
  }
  return out;
}

let text;
try {
  text = readFileSync(file, "utf8");
} catch (e) {
  console.log(`FAIL ${label} manifests: cannot read ${file}: ${e.message}`);
  process.exit(1);
}
let failed = 0;
let count = 0;
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length) {
    console.log(`FAIL ${label} yaml: ${doc.errors[0].message}`);
    failed++;
    continue;
  }
  const obj = doc.toJS();
  if (obj === null || obj === undefined) continue; // an empty document
  count++;
  const name = `${label} ${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
  const problems = [];
  try {
    const Cls = modelClass(obj.apiVersion, obj.kind);
    new Cls(obj).validate();
  } catch (e) {
    problems.push(String(e.message ?? e).split("\n").slice(0, 6).join("; "));
  }
  if (!isCustom(obj.apiVersion)) try {
    unknownFields(obj, clientModelName(obj.apiVersion, obj.kind), obj.kind, problems);
  } catch (e) {
    problems.push(String(e.message ?? e));
  }
  if (problems.length) {
    failed++;
    console.log(`FAIL validate ${name}: ${problems.slice(0, 5).join(" | ")}`);
  } else {
    console.log(`PASS validate ${name}`);
  }
}
if (count === 0) {
  console.log(`FAIL validate ${label}: no objects rendered`);
  failed++;
}
process.exit(failed ? 1 : 0);
