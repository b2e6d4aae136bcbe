/* brokerlearn SCORM 1.2 launch page of a module (one SCO): keeps the LMS session, shows the
   module's pages in a frame, and reports completion, the graded quiz's score and the time spent.
   The module's progress is kept in cmi.suspend_data (a few dozen characters, far below SCORM
   1.2's 4096) with cmi.core.exit = "suspend" while the module is not finished, so a new LMS
   session resumes where the learner was. CC BY 4.0. */
(function () {
  "use strict";
  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      if (win.API) return win.API;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findApi(window.parent) || (window.opener ? findApi(window.opener) : null);
  var body = document.body;
  var lessons = JSON.parse(body.getAttribute("data-lessons"));
  var quiz = body.getAttribute("data-quiz");
  var state = { visited: [], score: null, passed: null };
  var finished = false;
  var started = Date.now();
  var SUSPEND_LIMIT = 4096;  /* CMIString4096 */
  var mastery = NaN;  /* the LMS's cmi.student_data.mastery_score, when it gives one, is the pass mark */

  function get(name) { return api ? String(api.LMSGetValue(name) || "") : ""; }
  function set(name, value) { if (api) api.LMSSetValue(name, String(value)); }

  function status() {
    var all = lessons.every(function (url) { return state.visited.indexOf(url) >= 0; });
    if (quiz && state.score !== null) return state.passed ? "passed" : "failed";
    return all && !quiz ? "completed" : "incomplete";
  }

  /* suspend_data: {"v":"1101","s":85,"p":true}: one digit per lesson in module order (1 = opened),
     the best score and whether it passed. */
  function suspendData() {
    var data = { v: lessons.map(function (url) { return state.visited.indexOf(url) >= 0 ? "1" : "0"; }).join("") };
    if (state.score !== null) { data.s = state.score; data.p = state.passed; }
    var text = JSON.stringify(data);
    return text.length <= SUSPEND_LIMIT ? text : JSON.stringify({ s: data.s, p: data.p });
  }

  function restore(text) {
    var data;
    try { data = JSON.parse(text || "{}") || {}; } catch (e) { return; /* fresh start */ }
    if (typeof data.v === "string") {
      lessons.forEach(function (url, i) { if (data.v.charAt(i) === "1") state.visited.push(url); });
    } else if (Array.isArray(data.visited)) {  /* earlier packages kept the lessons' URLs */
      state.visited = data.visited.filter(function (url) { return lessons.indexOf(url) >= 0; });
    }
    var score = data.s !== undefined ? data.s : data.score;
    if (typeof score === "number") {
      state.score = score;
      state.passed = !!(data.p !== undefined ? data.p : data.passed);
    }
  }

  /* CMITimespan: HHHH:MM:SS.SS (hours of two to four digits). */
  function timespan(ms) {
    var centis = Math.min(Math.round(ms / 10), 9999 * 360000 - 1);
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    var hours = Math.floor(centis / 360000), minutes = Math.floor(centis / 6000) % 60;
    var seconds = Math.floor(centis / 100) % 60, rest = centis % 100;
    return pad(hours) + ":" + pad(minutes) + ":" + pad(seconds) + "." + pad(rest);
  }

  function finishedStatus() { var s = status(); return s === "completed" || s === "passed"; }

  function save() {
    set("cmi.suspend_data", suspendData());
    set("cmi.core.lesson_status", status());
    set("cmi.core.exit", finishedStatus() ? "" : "suspend");  /* "suspend": the LMS keeps this attempt */
    if (state.score !== null) {
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.score.raw", state.score);
    }
    if (api) api.LMSCommit("");
  }

  function setLocation(url) {
    if (url.length <= 255) set("cmi.core.lesson_location", url);
  }

  if (api) {
    api.LMSInitialize("");
    restore(get("cmi.suspend_data"));
    mastery = parseFloat(get("cmi.student_data.mastery_score"));
    var where = get("cmi.core.lesson_location");
    if (get("cmi.core.entry") === "resume" && lessons.indexOf(where) >= 0) {
      document.getElementById("sco-frame").src = "../" + where;  /* back to the lesson last open */
    }
    if (get("cmi.core.lesson_status") === "not attempted" || !get("cmi.core.lesson_status")) {
      set("cmi.core.lesson_status", "incomplete");
      api.LMSCommit("");
    }
  }

  window.brokerlearnScorm = {
    api: api,
    lessons: lessons,
    isVisited: function (url) { return state.visited.indexOf(url) >= 0; },
    visited: function (url) {
      if (lessons.indexOf(url) < 0) return;
      setLocation(url);
      if (state.visited.indexOf(url) < 0) {
        state.visited.push(url);
        save();
      }
    },
    quizChecked: function (detail) {
      if (!quiz || detail.quiz !== quiz || !detail.possible) return;
      var score = Math.round(100 * detail.earned / detail.possible);
      if (state.score === null || score > state.score) {  /* the best try counts */
        state.score = score;
        state.passed = isNaN(mastery) ? detail.earned >= detail.passMark * detail.possible - 1e-9 : score >= mastery;
      }
      save();
    }
  };

  function finish() {
    if (api && !finished) {
      finished = true;
      set("cmi.core.session_time", timespan(Date.now() - started));
      save();
      api.LMSFinish("");
    }
  }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
})();
