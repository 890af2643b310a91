// Validates SARIF logs against the SARIF 2.1.0 JSON schema with Ajv.
//
// The schema is the one Microsoft's SARIF tooling ships in the npm package
// @microsoft/jest-sarif (lib/schemas/sarif-2.1.0-rtm.5.json, the final 2.1.0
// schema; a draft-04 schema, hence ajv-draft-04); ci/install.sh installs it,
// ajv, ajv-draft-04 and ajv-formats at pinned versions. Beyond the schema it
// checks what code scanning needs of every result: a ruleId, a level and a
// location with a line.
//
// usage: node tests/sarif/validate.cjs FILE...   ("-" reads stdin)
// Prints one line per problem; exits 1 if there is any, 0 if none, 2 when a
// package is missing.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

// Installed globally by ci/install.sh; node does not search there by itself.
const globalRoot = (() => {
  try {
    return execFileSync("npm", ["root", "--global"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
})();
function load(name) {
  for (const where of [name, path.join(globalRoot, name)]) {
    try {
      return require(where);
    } catch {}
  }
  console.error(`validate: the npm package ${name} is not installed (bash ci/install.sh installs it)`);
  process.exit(2);
}

const Ajv = load("ajv-draft-04");
const addFormats = load("ajv-formats");
const schemaFile = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json", {
  paths: [globalRoot, __dirname],
});
const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));

// unicodeRegExp off: the schema's pattern for `language` has a stray "]"
// that only a non-unicode regular expression accepts.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tests/sarif/validate.cjs FILE...");
  process.exit(2);
}
const problems = [];
let results = 0;
for (const file of files) {
  const name = file === "-" ? "stdin" : file;
  let log;
  try {
    log = JSON.parse(fs.readFileSync(file === "-" ? 0 : file, "utf8"));
  } catch (error) {
    problems.push(`${name}: not JSON: ${error.message}`);
    continue;
  }
  if (!validate(log)) {
    for (const e of validate.errors) problems.push(`${name}: ${e.instancePath || "/"} ${e.message}`);
  }
  for (const run of log.runs || []) {
    for (const [i, r] of (run.results || []).entries()) {
      results++;
      const where = `${name}: runs[].results[${i}]`;
      if (!r.ruleId) problems.push(`${where}: no ruleId`);
      if (!r.level) problems.push(`${where}: no level`);
      const region = r.locations && r.locations[0] && r.locations[0].physicalLocation.region;
      if (!region || !(region.startLine > 0)) problems.push(`${where}: no location with a line`);
    }
  }
}
for (const problem of problems) console.log(problem);
console.log(`${files.length} SARIF log(s), ${results} result(s), ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
