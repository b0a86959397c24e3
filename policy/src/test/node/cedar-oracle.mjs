// The official Cedar implementation as an oracle for Bulwark's differential tests.
//
// Reads {"cases": [{"policies", "schema", "entities", "requests": [{principal, action, resource,
// context}]}]} as JSON on stdin and writes, per case, what Cedar answers: strict validation
// (valid or not, with the messages) and, per request, the decision with the determining and
// erroring policy ids. Policies are given as one text, which Cedar names policy0, policy1, ... in
// file order (as its integration tests do); entities and contexts are read with the schema, and
// each request is validated against it, like the integration tests' "validateRequest": true.
import { readFileSync } from "node:fs";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

const messages = (errors) => (errors ?? []).map((e) => e.message ?? String(e));

function validation(c) {
  const answer = cedar.validate({
    validationSettings: { mode: "strict" },
    schema: c.schema,
    policies: { staticPolicies: c.policies },
  });
  if (answer.type === "failure") {
    return { valid: false, failure: true, messages: messages(answer.errors) };
  }
  const errors = answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`);
  return { valid: errors.length === 0, failure: false, messages: errors };
}

function authorize(c, r) {
  const answer = cedar.isAuthorized({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    context: r.context,
    schema: c.schema,
    validateRequest: true,
    policies: { staticPolicies: c.policies },
    entities: c.entities,
  });
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

const input = JSON.parse(readFileSync(0, "utf8"));
const out = input.cases.map((c) => ({
  validation: validation(c),
  requests: c.requests.map((r) => authorize(c, r)),
}));
process.stdout.write(JSON.stringify({ cedarVersion: cedar.getCedarVersion(), results: out }));
