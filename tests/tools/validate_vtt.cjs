// Independent WebVTT check for the tests: parses each file with the npm webvtt-parser and prints
// {file: [errors]} as JSON. Chapters files are parsed as 'chapters', others as 'subtitles'.
const fs = require("fs");
const { WebVTTParser } = require("webvtt-parser");
const result = {};
for (const file of process.argv.slice(2)) {
  const kind = file.endsWith("chapters.vtt") ? "chapters" : "subtitles";
  const tree = new WebVTTParser().parse(fs.readFileSync(file, "utf8"), kind);
  result[file] = tree.errors.map((e) => `${e.line}:${e.col} ${e.message}`);
  if (!tree.cues.length) result[file].push("no cues");
}
process.stdout.write(JSON.stringify(result));
