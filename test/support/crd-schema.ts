import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { celHolds } from './cel';

/**
 * A small structural validator for the vendored CRD schemas (test/fixtures/upstream: openshift/api,
 * operator-framework): what kube-apiserver checks on create for the keywords those schemas use —
 * type, required, properties, additionalProperties, items, anyOf, pattern, minLength/maxLength,
 * minItems/maxItems, minimum/maximum, enum, int-or-string, x-kubernetes-list-type: set — plus their
 * x-kubernetes-validations, evaluated by the CEL subset in ./cel.ts. An unknown keyword or CEL shape
 * throws, so a re-vendored schema with a new rule fails the tests instead of passing unchecked.
 * Paths and the CEL messages follow the apiserver's field errors (`spec.registrySources.allowedRegistries[0]`).
 */

export interface SchemaError {
  path: string;
  message: string;
}

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  format?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string }>;
  minimum?: number;
  maximum?: number;
  additionalProperties?: Schema;
  anyOf?: Schema[];
  'x-kubernetes-int-or-string'?: boolean;
  default?: unknown;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

export interface VendoredCrd {
  crdName: string;
  apiVersion: string;
  kind: string;
  openAPIV3Schema: Schema;
}

const KNOWN = new Set([
  'type', 'properties', 'required', 'items', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'enum', 'format',
  'x-kubernetes-list-type', 'x-kubernetes-validations', 'minimum', 'maximum', 'additionalProperties', 'anyOf',
  'x-kubernetes-int-or-string',
  // Defaults are applied before validation and are valid themselves; map types only change how updates merge.
  'default', 'x-kubernetes-map-type',
]);

const UPSTREAM = new URL('../fixtures/upstream/', import.meta.url);

/** A vendored schema: openshift-api/ (openshift/api), operator-framework/ (operator-framework/api, operator-controller) or cincinnati-operator/. */
export function loadCrd(name: string, from: 'openshift-api' | 'operator-framework' | 'cincinnati-operator' = 'openshift-api'): VendoredCrd {
  return parse(readFileSync(fileURLToPath(new URL(`${from}/${name}.schema.yaml`, UPSTREAM)), 'utf8')) as VendoredCrd;
}

export interface UpstreamCase {
  name: string;
  initial: string;
  expected?: string;
  expectedError?: string;
}

export function loadSuite(name: string): UpstreamCase[] {
  const doc = parse(readFileSync(fileURLToPath(new URL(`openshift-api/${name}.tests.yaml`, UPSTREAM)), 'utf8')) as { tests: { onCreate: UpstreamCase[] } };
  return doc.tests.onCreate;
}

function typeOk(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      throw new Error(`crd-schema: unknown type ${type}`);
  }
}

function walk(schema: Schema, value: unknown, path: string, errors: SchemaError[]): void {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`crd-schema: unsupported keyword ${key} at ${path || '<root>'}`);
  const at = (message: string) => errors.push({ path, message });
  const before = errors.length;
  if (schema['x-kubernetes-int-or-string'] && !Number.isInteger(value) && typeof value !== 'string') {
    at('Invalid value: must be an integer or a string');
    return;
  }
  if (schema.type && !typeOk(schema.type, value)) {
    at(`Invalid value: must be of type ${schema.type}`);
    return;
  }
  if (schema.anyOf && !schema.anyOf.some((alternative) => {
    const sub: SchemaError[] = [];
    walk(alternative, value, path, sub);
    return sub.length === 0;
  })) at('Invalid value: matches none of the allowed schemas');
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) at(`Invalid value: should be greater than or equal to ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) at(`Invalid value: should be less than or equal to ${schema.maximum}`);
  }
  if (schema.enum && !schema.enum.includes(value)) at(`Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (typeof value === 'string') {
    // Lengths count characters (runes), as the apiserver does.
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) at(`Invalid value: should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && length > schema.maxLength) at(`Too long: may not be more than ${schema.maxLength} bytes`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) at(`Invalid value: should match '${schema.pattern}'`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) at(`Invalid value: should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) at(`Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    if (schema['x-kubernetes-list-type'] === 'set') {
      value.forEach((item, i) => {
        if (value.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) < i) errors.push({ path: `${path}[${i}]`, message: `Duplicate value: ${JSON.stringify(item)}` });
      });
    }
    if (schema.items) value.forEach((item, i) => walk(schema.items!, item, `${path}[${i}]`, errors));
  }
  if (schema.type === 'object' && typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const req of schema.required ?? []) if (!(req in obj)) errors.push({ path: path ? `${path}.${req}` : req, message: 'Required value' });
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in obj) walk(sub, obj[key], path ? `${path}.${key}` : key, errors);
    }
    if (schema.additionalProperties) {
      for (const [key, item] of Object.entries(obj)) if (!(key in (schema.properties ?? {}))) walk(schema.additionalProperties, item, path ? `${path}.${key}` : key, errors);
    }
  }
  // CEL rules run on values that passed the structural checks (a long invalid string would otherwise
  // cost the backtracking regex engine what Go's linear one never spends).
  if (errors.length === before) {
    for (const v of schema['x-kubernetes-validations'] ?? []) if (!celHolds(v.rule, value)) at(`Invalid value: ${v.message ?? `failed rule: ${v.rule}`}`);
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Validates an object as the apiserver does on create: its kind and apiVersion against the CRD, its
 * name as apiextensions-apiserver checks every custom resource's (a DNS-1123 subdomain, ≤253), then
 * the schema.
 */
export function validateAgainstCrd(crd: VendoredCrd, object: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  const obj = object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (obj.apiVersion !== crd.apiVersion) errors.push({ path: 'apiVersion', message: `must be ${crd.apiVersion}` });
  if (obj.kind !== crd.kind) errors.push({ path: 'kind', message: `must be ${crd.kind}` });
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push({ path: 'metadata.name', message: 'Invalid value: a lowercase RFC 1123 subdomain is required' });
  }
  walk(crd.openAPIV3Schema, object, '', errors);
  return errors;
}

export function formatSchemaErrors(errors: readonly SchemaError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
