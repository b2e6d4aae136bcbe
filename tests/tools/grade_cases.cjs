// Runs the browser's practice graders (the types' graders the build assembles into
// _static/question-types.js, with quiz.js' helpers) over cases read from standard input:
// [{key, response}] with responses as the server receives them. argv[2]: the assembled script.
// Prints [{share, error}]. Used by tests/test_grading.py.
const path = require("path");
const quiz = require(path.join(__dirname, "..", "..", "themes", "default", "static", "quiz.js"));
const types = require(path.resolve(process.argv[2]));
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ key, response }) => {
    const result = quiz.check(types, key, response);
    return { share: result.error ? 0 : result.share, error: !!result.error };
  });
  process.stdout.write(JSON.stringify(out));
});
