/* brokerlearn progressive enhancement. Without a course server the pages stay as they are,
   except that lesson completion is kept in this browser; with one, it signs the header,
   records progress (merging what was kept in the browser), shows progress and resume links,
   and lets graded quizzes be submitted. CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var html = document.documentElement;
  var root = html.getAttribute("data-root") || "./";
  var courseId = html.getAttribute("data-course");
  var lessonId = document.body.getAttribute("data-lesson");
  var api = new URL(root + "api/", location.href).href;
  var LOCAL = "brokerlearn:pending-events";
  var csrf = null;

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function pending() {
    try { return JSON.parse(localStorage.getItem(LOCAL) || "[]"); } catch (e) { return []; }
  }

  function keepLocally(event) {
    try { localStorage.setItem(LOCAL, JSON.stringify(pending().concat([event]))); } catch (e) { /* storage off */ }
  }

  function call(method, path, body, keepalive) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" }, keepalive: !!keepalive };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrf;
      options.body = JSON.stringify(body);
    }
    return fetch(api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || response.statusText);
          error.status = response.status;
          error.data = data;
          error.retryAfter = parseInt(response.headers.get("Retry-After"), 10) || null;
          throw error;
        }
        return data;
      });
    });
  }

  function attemptsUsed(used, limit) {
    return limit ? t("Attempts used: {used} of {limit}.", { used: used, limit: limit }) : t("Attempts used: {used}.", { used: used });
  }

  function event(kind, item, value) {
    var e = { event_id: newId(), course: courseId, kind: kind, item: item, at: new Date().toISOString() };
    if (value !== undefined) e.value = value;
    return e;
  }

  /* Sign-in merge: what was kept in this browser goes to the account in batches of at most
     BATCH, oldest first. An event leaves the browser only when the server has acknowledged it
     (stored now or before) or rejected it for good (stale: its lesson is gone; invalid); after a
     network error, a 5xx or a lost session the rest stays for the next page. */
  var BATCH = 200;  /* the API takes at most 200 events per call */
  var FINAL = { stale: true, invalid: true };

  function forget(sent) {
    var gone = {};
    sent.forEach(function (e) { gone[JSON.stringify(e)] = true; });
    try {
      localStorage.setItem(LOCAL, JSON.stringify(pending().filter(function (e) { return !gone[JSON.stringify(e)]; })));
    } catch (e) { /* storage off */ }
  }

  function settled(batch, answer) {  /* the events of a batch the server has dealt with for good */
    var kept = {};
    (answer.rejected || []).forEach(function (r) { if (!FINAL[r.code]) kept[r.index] = true; });
    return batch.filter(function (e, index) { return !kept[index]; });
  }

  function mergePending() {
    var batch = pending().slice(0, BATCH);
    if (!batch.length) return Promise.resolve();
    return call("POST", "progress", { events: batch }).catch(function (error) {
      if (error.status === 422 && error.data && Array.isArray(error.data.rejected)) return error.data;
      throw error;  /* keep them all for a later try */
    }).then(function (answer) {
      var done = settled(batch, answer);
      forget(done);
      if (done.length) return mergePending();  /* drain until empty */
    });
  }

  /* The server is there but cannot answer for now: a 503 while its database is down, a proxy's
     502 or 504, or no answer at all. (A 4xx is an answer.) */
  function unavailable(error) {
    return !error.status || error.status >= 500;
  }

  /* While the server is unavailable, what the learner does waits in this browser; it is sent as
     soon as the server answers again: after its Retry-After, else after a wait that grows, and
     at once when the browser is back online. `then(session)` runs after each delivery. */
  var retryTimer = null;
  var retryWait = 0;
  var whenBack = [];

  function reconnect() {
    retryTimer = null;
    var session;
    call("GET", "session").then(function (answer) {
      session = answer;
      if (!session.user) return;  /* kept for the sign-in merge */
      csrf = session.csrf_token;
      return mergePending();
    }).then(function () {
      retryWait = 0;
      whenBack.splice(0).forEach(function (then) { then(session); });
    }, function (error) { retryLater(error); });
  }

  function retryLater(error, then) {
    if (then) whenBack.push(then);
    if (retryTimer) return;
    retryWait = error && error.retryAfter ? Math.min(error.retryAfter, 300) : Math.min(Math.max(retryWait * 2, 5), 300);
    retryTimer = setTimeout(reconnect, retryWait * 1000);
  }

  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); reconnect(); }
  });

  function isPending(event) {
    return pending().some(function (e) { return e.event_id === event.event_id; });
  }

  function locallyCompleted() {
    var done = {};
    pending().forEach(function (e) { if (e.kind === "lesson_completed" && e.course === courseId) done[e.item] = true; });
    return done;
  }

  /* The header: who is signed in (navigation.js shows the user menu). */
  function showUser(session) {
    window.dispatchEvent(new CustomEvent("brokerlearn:session", { detail: session }));
  }

  /* Lesson pages: a "mark as complete" button that works with or without an account.
     mode: "account" (signed in, server answering), "browser" (no server, or not signed in),
     "later" (the server is unavailable: who is signed in is not known). */
  function completionButton(completed, mode) {
    var box = document.querySelector("[data-lesson-complete]");
    if (!box || !lessonId) return;
    var button = box.querySelector("button");
    var status = box.querySelector("[role=status]");
    function show(done) {
      button.setAttribute("aria-pressed", done ? "true" : "false");
      button.textContent = done ? t("Completed") : t("Mark this lesson as complete");
      button.disabled = done;
    }
    show(!!completed[lessonId]);
    box.hidden = false;
    function keptForSignIn() {
      status.textContent = t("Kept in this browser. Sign in to keep it in your account.");
    }
    function keptForLater(e, error) {
      keepLocally(e);
      show(true);
      status.textContent = t("Saved in this browser. The server is briefly unavailable: it will be sent when the server is back.");
      retryLater(error, function (session) {
        if (isPending(e)) { if (!session.user) keptForSignIn(); } else status.textContent = t("Saved.");
      });
    }
    button.addEventListener("click", function () {
      var e = event("lesson_completed", lessonId);
      if (mode === "browser") {
        keepLocally(e);
        show(true);
        keptForSignIn();
        return;
      }
      if (mode === "later") { keptForLater(e, null); return; }
      call("POST", "progress", { events: [e] }).then(function () {
        show(true);
        status.textContent = t("Saved.");
      }).catch(function (error) {
        if (unavailable(error)) keptForLater(e, error);
        else if (error.status === 401) { keepLocally(e); show(true); keptForSignIn(); }  /* the session ended */
        else status.textContent = t("Not saved: {reason}", { reason: error.message });
      });
    });
  }

  /* A bar and the same figure in words (the bar's label, for screen readers too). */
  function progressLine(line, completed, total) {
    var text = t("{completed} of {total} lessons completed", { completed: completed, total: total });
    line.textContent = "";
    var bar = document.createElement("progress");
    bar.max = total || 1;
    bar.value = completed;
    bar.setAttribute("aria-label", text);
    var words = document.createElement("span");
    words.textContent = text;
    line.appendChild(bar);
    line.appendChild(words);
    line.hidden = false;
  }

  function tickCompleted(within, done) {
    within.querySelectorAll("[data-lesson-item]").forEach(function (item) {
      if (done[item.getAttribute("data-lesson-item")]) item.querySelector(".done-mark").hidden = false;
    });
  }

  function showProgress(progress) {
    var done = {};
    progress.completed_lessons.forEach(function (id) { done[id] = true; });
    progress.modules.forEach(function (m) {
      document.querySelectorAll("[data-module-progress=\"" + m.slug + "\"]").forEach(function (line) {
        progressLine(line, m.completed, m.lessons);
      });
    });
    tickCompleted(document, done);
    /* A module of the outline that navigation.js fills in later is ticked too. */
    document.addEventListener("brokerlearn:outline-filled", function (e) { tickCompleted(e.target, done); });
    var courseLine = document.querySelector("[data-course-progress]");
    if (courseLine) progressLine(courseLine, progress.completed_lessons.length, progress.lessons);
    var start = document.querySelector("[data-start-link]");
    if (start && progress.resume) {
      start.href = root + progress.resume.url;
      start.textContent = t("Resume: {title}", { title: progress.resume.title });
    }
    return done;
  }

  /* Graded quizzes: start an attempt (the server may shuffle the options), submit, show the result. */
  function gradedQuiz(section, signedIn) {
    var quizId = section.getAttribute("data-quiz");
    var note = section.querySelector("[data-needs-server]");
    var form = section.querySelector("form");
    var submit = form.querySelector("button[type=submit]");
    var result = section.querySelector(".quiz-result");
    var retry = section.querySelector(".quiz-retry");
    var attempt = null;
    if (!signedIn) {
      note.innerHTML = "";
      var a = document.createElement("a");
      a.href = "/account/login?next=" + encodeURIComponent(location.pathname);
      a.textContent = t("Sign in");
      note.appendChild(a);
      note.appendChild(document.createTextNode(" " + t("to submit this quiz: it is marked by the course server.")));
      return;
    }
    /* Scores as the practice quizzes write them (quiz.js formatPoints): 0.666667 -> "0.67". */
    function points(value) {
      return window.brokerlearn && window.brokerlearn.formatPoints ? window.brokerlearn.formatPoints(value) : String(value);
    }
    /* Feedback and explanations: the build rendered and sanitized their HTML into the private
       manifest; a manifest from before that has only the Markdown source, shown as text. */
    function rendered(tag, html, text) {
      var node = document.createElement(tag);
      if (html) node.innerHTML = html; else node.textContent = text;
      return node;
    }
    function applyOrder(order) {
      Object.keys(order || {}).forEach(function (questionId) {
        var fieldset = form.querySelector("fieldset[data-question=\"" + questionId + "\"]");
        var list = fieldset && fieldset.querySelector(".options");
        if (!list) return;
        order[questionId].forEach(function (optionId) {
          var input = list.querySelector("input[value=\"" + optionId + "\"]");
          if (input) list.appendChild(input.closest("label"));
        });
      });
    }
    function begin() {
      return call("GET", "quizzes/" + courseId + "/" + quizId).then(function (status) {
        var left = status.attempts_left;
        note.textContent = attemptsUsed(status.attempts_used, status.max_attempts) +
          (status.best_score !== null ? " " + t("Best score: {best} of {max}.", { best: points(status.best_score), max: points(status.max_score) }) : "");
        if (left === 0) { submit.disabled = true; return; }
        return call("POST", "quizzes/" + courseId + "/" + quizId + "/attempts", {}).then(function (started) {
          attempt = started;
          applyOrder(started.option_order);
          submit.disabled = false;
        });
      }).catch(function (error) {
        note.textContent = unavailable(error) ? t("The quiz could not be started: the server is briefly unavailable. Reload the page in a moment.")
          : t("The quiz could not be started: {reason}", { reason: error.message });
      });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!attempt) return;
      var answers = {};
      form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
        var type = fieldset.className.match(/question-(\w+)/)[1];
        var response = window.brokerlearn.readResponse(fieldset, type);  /* the type's own reader */
        if (response !== null && response !== "") answers[fieldset.getAttribute("data-question")] = response;
      });
      submit.disabled = true;
      call("POST", "quizzes/" + courseId + "/" + quizId + "/attempts/" + attempt.id, { answers: answers }).then(function (graded) {
        attempt = null;
        Object.keys(graded.questions).forEach(function (questionId) {
          var q = graded.questions[questionId];
          var fieldset = form.querySelector("fieldset[data-question=\"" + questionId + "\"]");
          var box = fieldset.querySelector(".question-feedback");
          var verdict = q.correct === null ? t("Not marked.") : q.correct ? t("Correct.") : q.score > 0 ? t("Partly correct.") : t("Not right.");
          box.textContent = "";
          var p = document.createElement("p");
          p.className = "verdict";
          p.textContent = verdict + (q.max_score ? " " + (q.max_score === 1 ? t("{earned} of {possible} point.", { earned: points(q.score), possible: points(q.max_score) }) : t("{earned} of {possible} points.", { earned: points(q.score), possible: points(q.max_score) })) : "");
          box.appendChild(p);
          (q.feedback || []).forEach(function (f) {
            if (f.text) box.appendChild(rendered("p", f.html, f.text));
          });
          if (q.explanation) box.appendChild(rendered("div", q.explanation_html, q.explanation)).className = "explanation";
        });
        result.textContent = (graded.passed ? t("You scored {score} of {max} points: passed.", { score: points(graded.score), max: points(graded.max_score) }) : t("You scored {score} of {max} points: not passed yet.", { score: points(graded.score), max: points(graded.max_score) })) +
          (graded.attempts_left === null ? "" : " " + t("Attempts left: {n}.", { n: graded.attempts_left }));
        note.textContent = attemptsUsed(graded.attempt, graded.attempts_left === null ? 0 : graded.attempt + graded.attempts_left);
        if (graded.attempts_left !== 0 && graded.score < graded.max_score) retry.hidden = false;
      }).catch(function (error) {
        result.textContent = unavailable(error) ? t("Not submitted: the server is briefly unavailable. Your answers are still here: try again in a moment.")
          : t("Not submitted: {reason}", { reason: error.message });
        submit.disabled = false;
      });
    });
    retry.addEventListener("click", function () {
      retry.hidden = true;
      begin();
    });
    begin();
  }

  /* Video watch tracking (video.js measures the share actually played). */
  function trackVideos() {
    window.addEventListener("brokerlearn:video-progress", function (e) {
      var d = e.detail;
      sendOrKeep({ event_id: newId(), course: d.course, kind: "video_progress", item: d.video, value: d.share,
        at: new Date().toISOString() }, d.final);
    });
    /* A decision inside a video (video.js) is a practice answer: its share of the points. */
    window.addEventListener("brokerlearn:decision-answered", function (e) {
      var d = e.detail;
      sendOrKeep(event("practice_answered", "videos/" + d.video + "/" + d.decision, d.share));
    });
  }

  function recordView(signedIn) {
    if (!lessonId || !courseId) return;
    var started = Date.now();
    var viewed = event("lesson_viewed", lessonId);
    if (!signedIn) return;
    sendOrKeep(viewed);
    window.addEventListener("pagehide", function () {
      var seconds = Math.min(86400, Math.round((Date.now() - started) / 1000));
      if (seconds > 1) sendOrKeep(event("lesson_viewed", lessonId, seconds), true);
    });
  }

  /* Events the learner is not shown being saved (time on a page, a video's share watched): sent,
     or kept in this browser while the server is unavailable and sent when it is back, like a
     completion. Any other refusal (a 4xx) is final: viewing still works. */
  function sendOrKeep(e, keepalive) {
    call("POST", "progress", { events: [e] }, keepalive).catch(function (error) {
      if (unavailable(error)) { keepLocally(e); retryLater(error); }
    });
  }

  function offline() {
    if (courseId) completionButton(locallyCompleted(), "browser");
  }

  function later() {  /* a course server that cannot answer now (not a site without one) */
    if (courseId) completionButton(locallyCompleted(), "later");
  }

  /* The one request for who is signed in: the session, "later" (a course server that cannot
     answer now) or null (no course server). Shared with assessments.js, which runs after this
     script (both deferred, in order), so that a page asks /api/session once. */
  var sessionAnswer = fetch(api + "session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) {
      if (response.ok) return response.json().catch(function () { return null; });  /* a static host's page */
      return response.status >= 500 ? "later" : null;  /* a 404: no course server here */
    }, function () { return location.protocol === "file:" ? null : "later"; });
  window.brokerlearnSession = sessionAnswer;

  sessionAnswer.then(function (session) {
      if (session === "later") {
        document.querySelectorAll("section.quiz[data-graded] [data-needs-server]").forEach(function (note) {
          note.textContent = t("The quiz could not be started: the server is briefly unavailable. Reload the page in a moment.");
        });
        later();
        return;
      }
      if (!session || session.server !== "brokerlearn") { offline(); return; }
      csrf = session.csrf_token;
      showUser(session);
      var signedIn = !!session.user;
      document.querySelectorAll("section.quiz[data-graded]").forEach(function (s) { gradedQuiz(s, signedIn); });
      if (!courseId) return;
      if (!signedIn) { offline(); return; }
      var first = mergePending().catch(function () { /* kept in the browser: merged on a later page */ });
      first.then(function () { return call("GET", "progress/" + courseId); }).then(function (progress) {
        completionButton(showProgress(progress), "account");
        recordView(true);
        trackVideos();
      }).catch(function (error) { if (unavailable(error)) later(); else offline(); });
    });
})();
