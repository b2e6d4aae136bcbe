// Independent xAPI 1.0.3 check for the tests: validates each JSON line of a file with Learning
// Locker's npm xapi-validation and prints {line: [warnings]} for the lines that have any.
const fs = require("fs");
const validate = require("xapi-validation").default;
const result = {};
fs.readFileSync(process.argv[2], "utf8").split("\n").forEach((line, index) => {
  if (!line.trim()) return;
  const warnings = validate(JSON.parse(line));
  if (warnings.length) result[index + 1] = warnings.map((w) => `${w.path.join(".")}: ${w.message || w.constructor.name}`);
});
process.stdout.write(JSON.stringify(result));
