/* brokerlearn SCORM 1.2 launch page of a module (one SCO): keeps the LMS session, shows the
   module's pages in a frame, and reports completion and the graded quiz's score. CC BY 4.0. */
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

  function get(name) { return api ? String(api.LMSGetValue(name) || "") : ""; }
  function set(name, value) { if (api) api.LMSSetValue(name, String(value)); }

  function status() {
    var all = lessons.every(function (url) { return state.visited.indexOf(url) >= 0; });
    if (quiz && state.score !== null) return state.passed ? "passed" : "failed";
    return all && !quiz ? "completed" : "incomplete";
  }

  function save() {
    set("cmi.suspend_data", JSON.stringify(state));
    set("cmi.core.lesson_status", status());
    if (state.score !== null) {
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.score.raw", state.score);
    }
    if (api) api.LMSCommit("");
  }

  if (api) {
    api.LMSInitialize("");
    try { state = Object.assign(state, JSON.parse(get("cmi.suspend_data") || "{}")); } catch (e) { /* fresh start */ }
    if (get("cmi.core.lesson_status") === "not attempted" || !get("cmi.core.lesson_status")) {
      set("cmi.core.lesson_status", "incomplete");
      api.LMSCommit("");
    }
  }

  window.brokerlearnScorm = {
    api: api,
    visited: function (url) {
      if (lessons.indexOf(url) >= 0 && state.visited.indexOf(url) < 0) {
        state.visited.push(url);
        save();
      }
    },
    quizChecked: function (detail) {
      if (!quiz || detail.quiz !== quiz || !detail.possible) return;
      var score = Math.round(100 * detail.earned / detail.possible);
      if (state.score === null || score > state.score) {  /* the best try counts */
        state.score = score;
        state.passed = detail.earned >= detail.passMark * detail.possible - 1e-9;
      }
      save();
    }
  };

  function finish() {
    if (api && !finished) { finished = true; save(); api.LMSFinish(""); }
  }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
})();
