// Runs the browser's practice grader (themes/default/static/quiz.js) over cases read from
// standard input: [{key, type, response}] with responses in the form readResponse gives them.
// Prints [{share, error}]. Used by tests/test_grading.py.
const path = require("path");
const quiz = require(path.join(__dirname, "..", "..", "themes", "default", "static", "quiz.js"));
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ key, type, response }) => {
    const result = quiz.graders[type](key, response);
    return { share: result.error ? 0 : result.share, error: !!result.error };
  });
  process.stdout.write(JSON.stringify(out));
});
