// The official Cedar implementation as an oracle for Bulwark's differential tests.
//
// Reads {"cases": [{"policySet", "schema", "entities", "json", "requests": [{principal, action,
// resource, context}]}]} as JSON on stdin and writes, per case, what Cedar answers: strict
// validation (valid or not, with the messages) and, per request, the decision with the determining
// and erroring policy ids. "policySet" is Cedar's policy-set object: {"staticPolicies": {id: text},
// "templates": {id: text}, "templateLinks": [{templateId, newId, values}]}. Entities and contexts
// are read with the schema, and each request is validated against it, like the integration tests'
// "validateRequest": true. With "json": true the schema and every policy and template are first
// converted to Cedar's JSON formats (schemaToJson, policyToJson, templateToJson), Cedar answers
// for those, and the answer carries them as "schemaJson" and "policySetJson"; with also
// "resolvedTypes": true the schema's types are written resolved ("Entity", "Long", a common
// type's name) instead of as "EntityOrCommon" (schemaToJsonWithResolvedTypes).
import { readFileSync } from "node:fs";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

const messages = (errors) => (errors ?? []).map((e) => e.message ?? String(e));

function converted(answer, what) {
  if (answer.type !== "success") {
    throw new Error(`Cedar cannot convert ${what}: ${JSON.stringify(messages(answer.errors))}`);
  }
  return answer.json;
}

function mapValues(record, f) {
  return Object.fromEntries(Object.entries(record ?? {}).map(([id, v]) => [id, f(v, id)]));
}

function toJson(c) {
  return {
    schema: converted(
      c.resolvedTypes ? cedar.schemaToJsonWithResolvedTypes(c.schema) : cedar.schemaToJson(c.schema),
      "the schema",
    ),
    policySet: {
      staticPolicies: mapValues(c.policySet.staticPolicies, (p, id) =>
        converted(cedar.policyToJson(p), id),
      ),
      templates: mapValues(c.policySet.templates, (t, id) => converted(cedar.templateToJson(t), id)),
      templateLinks: c.policySet.templateLinks ?? [],
    },
  };
}

function validation(schema, policies) {
  const answer = refusing(() =>
    cedar.validate({ validationSettings: { mode: "strict" }, schema, policies }),
  );
  if (answer.type === "failure") {
    return { valid: false, failure: true, messages: messages(answer.errors) };
  }
  const errors = answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`);
  return { valid: errors.length === 0, failure: false, messages: errors };
}

function authorize(schema, policies, entities, r) {
  const answer = refusing(() =>
    cedar.isAuthorized({
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context,
      schema,
      validateRequest: true,
      policies,
      entities,
    }),
  );
  if (answer.type === "failure") {
    return { failure: messages(answer.errors) };
  }
  const d = answer.response.diagnostics;
  return {
    decision: answer.response.decision,
    reason: [...d.reason].sort(),
    errors: [...new Set(d.errors.map((e) => e.policyId))].sort(),
    errorMessages: d.errors.map((e) => `${e.policyId}: ${e.error.message}`),
  };
}

// cedar-wasm throws, rather than answering "failure", for input it cannot deserialize (an unknown
// slot name in a link): that is a refusal too.
function refusing(f) {
  try {
    return f();
  } catch (e) {
    return { type: "failure", errors: [{ message: e.message }] };
  }
}

function answer(c) {
  let schema = c.schema;
  let policies = c.policySet;
  const out = {};
  if (c.json) {
    try {
      ({ schema, policySet: policies } = toJson(c));
    } catch (e) {
      return { validation: { valid: false, failure: true, messages: [e.message] }, requests: [] };
    }
    out.schemaJson = schema;
    out.policySetJson = policies;
  }
  out.validation = validation(schema, policies);
  out.requests = c.requests.map((r) => authorize(schema, policies, c.entities, r));
  return out;
}

const input = JSON.parse(readFileSync(0, "utf8"));
const results = input.cases.map(answer);
process.stdout.write(JSON.stringify({ cedarVersion: cedar.getCedarVersion(), results }));
