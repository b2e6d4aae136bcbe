/* brokerlearn: the learner's status in each graded quiz, wherever a page lists one.

   Any element with data-quiz="COURSE/QUIZ" (the module page's list, the notice at the top of the
   lesson that holds an assessment, the course outline) gets the signed-in learner's status from
   the course server (GET /api/assessments/COURSE): "not started", the best score, the attempts
   left, "passed". The words go into the element's .assessment-status, or into one added at its
   end (then begun with "graded — "); the element gets data-status="not_started", "in_progress",
   "passed", "no_attempts_left", "signed_out" or "no_server" for the theme to style.
   Signed out, or with no course server (a static host, a file opened from disk), it says so
   plainly. It asks only on pages that list a graded quiz, and sends nothing. CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var SEPARATOR = " · ";

  function points(value) {  /* as quiz.js formatPoints: 0.666667 -> "0.67" */
    return String(Math.round(value * 100) / 100);
  }

  function best(q) {
    return t("best score {score} of {max}", { score: points(q.best_score), max: points(q.max_score) });
  }

  /* The same words as the dashboard's (templates/_assessment.html). */
  function describe(q) {
    if (q.status === "passed") return [t("passed"), best(q)];
    if (q.status === "not_started") {
      var parts = [t("not started")];
      if (q.max_attempts) parts.push(q.max_attempts === 1 ? t("1 attempt") : t("{n} attempts", { n: q.max_attempts }));
      parts.push(t("pass mark {percent}%", { percent: Math.round(q.pass_mark * 100) }));
      return parts;
    }
    if (q.status === "in_progress") {
      var left = q.attempts_left;
      return [best(q), t("not passed yet")].concat(
        left ? [left === 1 ? t("1 attempt left") : t("{n} attempts left", { n: left })] : []);
    }
    return [best(q), t("not passed, no attempts left")];
  }

  function show(element, state, words) {
    var box = element.querySelector(".assessment-status");
    if (!box) {  /* an entry without a place for its status: it says "graded" in it */
      box = document.createElement("span");
      box.className = "assessment-status";
      box.setAttribute("data-says-graded", "");
      element.appendChild(document.createTextNode(" "));
      element.appendChild(box);
    }
    var text = words.join(SEPARATOR);
    if (box.hasAttribute("data-says-graded")) text = t("graded") + " — " + text;  /* again on a refresh */
    box.textContent = text;
    element.setAttribute("data-status", state);
  }

  function getJson(url) {  /* null: no course server answered (a static host's page, or none) */
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      if ((response.headers.get("Content-Type") || "").indexOf("application/json") !== 0) return null;
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  /* Who is signed in (GET /api/session, as server.js asks), so that a signed-out page asks no
     more and logs no 401: {state: "no_server" | "signed_out" | "later"} or {signedIn: true}. */
  function session(api) {
    return getJson(api + "session").then(function (answer) {
      if (!answer || answer.status === 404 || !answer.data || answer.data.server !== "brokerlearn") {
        return { state: answer && answer.status >= 500 ? "later" : "no_server" };
      }
      if (answer.status >= 500) return { state: "later" };
      return answer.data.user ? { signedIn: true } : { state: "signed_out" };
    }, function () { return { state: location.protocol === "file:" ? "no_server" : "later" }; });
  }

  /* The same, from the answer server.js already has (see window.brokerlearnSession there). */
  function sessionFromServerJs(answer) {
    if (answer === "later") return { state: "later" };
    if (!answer || answer.server !== "brokerlearn") return { state: "no_server" };
    return answer.user ? { signedIn: true } : { state: "signed_out" };
  }

  /* One course's statuses: {quizzes: {id: status}} or {state: ...}. */
  function load(api, course) {
    return getJson(api + "assessments/" + encodeURIComponent(course)).then(function (answer) {
      if (!answer) return { state: "no_server" };
      if (answer.status === 401) return { state: "signed_out" };
      if (answer.status !== 200) return { state: answer.status >= 500 ? "later" : "no_server" };
      var quizzes = {};
      (answer.data.assessments || []).forEach(function (q) { quizzes[q.quiz] = q; });
      return { quizzes: quizzes };
    }, function () { return { state: "later" }; });
  }

  var GONE = {
    no_server: function () { return t("needs the course server"); },
    signed_out: function () { return t("sign in to take it"); },
    later: function () { return t("status not available just now"); }
  };

  function fill(elements, answer) {
    elements.forEach(function (element) {
      var quiz = element.getAttribute("data-quiz").split("/").slice(1).join("/");
      if (answer.state) { show(element, answer.state, [GONE[answer.state]()]); return; }
      var q = answer.quizzes[quiz];
      if (q) show(element, q.status, describe(q));
    });
  }

  function run() {
    var byCourse = {};
    document.querySelectorAll("[data-quiz]").forEach(function (element) {
      var value = element.getAttribute("data-quiz");
      if (value.indexOf("/") < 1) return;  /* a quiz itself (section.quiz) names no course */
      var course = value.split("/")[0];
      (byCourse[course] = byCourse[course] || []).push(element);
    });
    var courses = Object.keys(byCourse);
    if (!courses.length) return;
    var root = document.documentElement.getAttribute("data-root") || "/";
    var api = new URL(root + "api/", location.href).href;
    var known = window.brokerlearnSession;
    (known ? known.then(sessionFromServerJs) : session(api)).then(function (who) {
      courses.forEach(function (course) {
        if (!who.signedIn) { fill(byCourse[course], who); return; }
        load(api, course).then(function (answer) { fill(byCourse[course], answer); });
      });
    });
  }

  window.brokerlearn = window.brokerlearn || {};
  window.brokerlearn.refreshAssessments = run;
  run();
  /* A graded quiz on this page marked by the server (server.js writes its score): the status
     shown near the top of the lesson follows. */
  document.querySelectorAll("section.quiz[data-graded] .quiz-result").forEach(function (result) {
    new MutationObserver(function () {
      if (/\d/.test(result.textContent)) run();  /* a score, not "Cleared: try again." */
    }).observe(result, { childList: true, characterData: true, subtree: true });
  });
})();
