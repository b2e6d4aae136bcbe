/* Assessed work (issue 18): with a course server and a signed-in learner, the assignment's form
   is shown; the text is kept in this browser as it is typed and saved on the server a moment
   later, files are attached to the draft, and the work is submitted. Without a server the
   page's note stays: submissions need it. CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var sections = document.querySelectorAll("section.assignment[data-assignment]");
  if (!document.querySelector("section.assignment .assignment-form")) return;  /* none, or in a package */
  var root = document.documentElement.getAttribute("data-root") || "./";
  var here = document.currentScript && document.currentScript.src;  /* the steps' script sits beside this one */
  var stepsScript = null;
  var api = new URL(root + "api/", location.href).href;
  var csrf = null;

  function call(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") options.headers["X-CSRFToken"] = csrf;
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(api + path, options).then(function (response) {
      if (response.status === 204) return {};
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || ("HTTP " + response.status));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function absolute(url) { return new URL(url.replace(/^\//, ""), new URL(root, location.href)).href; }

  /* The steps after submitting (assignment-steps.js), loaded only when a learner has submitted. */
  function loadSteps() {
    if (window.brokerlearnAssignmentSteps) return Promise.resolve();
    if (!stepsScript) {
      stepsScript = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = (here || (root + "_static/assignment.js")).replace(/assignment\.js(\?.*)?$/, "assignment-steps.js");
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return stepsScript;
  }

  function words(text) { return text.trim() ? text.trim().split(/\s+/).length : 0; }
  function when(iso) {
    return new Date(iso).toLocaleString(document.documentElement.lang || undefined,
      { dateStyle: "long", timeStyle: "short" });
  }

  function setUp(section) {
    var course = section.getAttribute("data-course"), id = section.getAttribute("data-assignment");
    var path = "assignments/" + encodeURIComponent(course) + "/" + encodeURIComponent(id);
    var key = "brokerlearn:assignment:" + course + ":" + id;
    var form = section.querySelector(".assignment-form");
    var note = section.querySelector("[data-needs-server]");
    var status = section.querySelector(".assignment-status");
    var text = section.querySelector(".assignment-text");
    var count = section.querySelector(".assignment-words");
    var saved = section.querySelector(".assignment-saved");
    var fileInput = section.querySelector(".assignment-file");
    var fileList = section.querySelector(".assignment-files");
    var submitButton = section.querySelector(".assignment-submit");
    var done = section.querySelector(".assignment-submitted");
    var low = +section.getAttribute("data-min-words") || 0, high = +section.getAttribute("data-max-words") || 0;
    var timer = null, saving = Promise.resolve();

    function local() { try { return JSON.parse(localStorage.getItem(key)) || null; } catch (e) { return null; } }
    function keep(value) { try { localStorage.setItem(key, JSON.stringify({ text: value, at: new Date().toISOString() })); } catch (e) { /* full */ } }
    function forget() { try { localStorage.removeItem(key); } catch (e) { /* none */ } }

    function showCount() {
      if (!text) return;
      var n = words(text.value);
      count.textContent = low ? t("{n} words ({low} to {high})", { n: n, low: low, high: high })
        : t("{n} words (at most {high})", { n: n, high: high });
    }

    function save() {
      if (!text) return saving;
      var value = text.value;
      saving = call("PUT", path + "/draft", { text: value }).then(function (answer) {
        saved.textContent = t("Draft saved on the server at {time}.", { time: when(answer.updated_at) });
      }, function (error) {
        saved.textContent = t("Draft kept in this browser; not saved on the server: {reason}", { reason: error.message });
      });
      return saving;
    }

    function showFiles(files) {
      if (!fileList) return;
      fileList.textContent = "";
      files.forEach(function (f) {
        var li = document.createElement("li");
        li.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1000)) + " kB) ";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-secondary";
        remove.textContent = t("Remove");
        remove.setAttribute("aria-label", t("Remove {name}", { name: f.name }));
        remove.addEventListener("click", function () {
          call("DELETE", path + "/draft/files/" + f.id).then(refresh, function (error) { status.textContent = error.message; });
        });
        li.appendChild(remove);
        fileList.appendChild(li);
      });
    }

    function showSubmitted(submission) {
      form.querySelectorAll("textarea, input, .assignment-submit, .assignment-files button").forEach(function (el) { el.hidden = true; });
      form.querySelectorAll(".assignment-label, .assignment-words, .assignment-files, .assignment-saved").forEach(function (el) { el.hidden = true; });
      status.textContent = t("Submitted on {date}. A trainer will review it.", { date: when(submission.submitted_at) });
      done.hidden = false;
      done.textContent = "";
      var heading = document.createElement("h3");
      heading.textContent = t("Your submitted work");
      done.appendChild(heading);
      var body = document.createElement("div");
      body.className = "assignment-submitted-text";
      body.innerHTML = submission.text_html;  /* sanitized by the server */
      done.appendChild(body);
      if (submission.files.length) {
        var list = document.createElement("ul");
        submission.files.forEach(function (f) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = absolute(f.url);
          a.textContent = f.name;
          a.setAttribute("download", "");
          li.appendChild(a);
          list.appendChild(li);
        });
        done.appendChild(list);
      }
      forget();
    }

    function showDraftForm() {
      form.querySelectorAll("textarea, input, .assignment-submit, .assignment-label, .assignment-words, .assignment-files, .assignment-saved")
        .forEach(function (el) { el.hidden = false; });
      done.hidden = true;
    }

    function steps() {
      return loadSteps().then(function () {
        return window.brokerlearnAssignmentSteps(section, {
          t: t, call: call, path: path, absolute: absolute,
          reopened: function (draft) {
            showDraftForm();
            if (text) { text.value = draft.text; keep(draft.text); }
            refresh().then(function () { if (text) text.focus(); });
          }
        });
      }, function () { /* the steps stay unseen; the submission is shown */ });
    }

    function refresh() {
      return call("GET", path).then(function (state) {
        var draft = state.submission;
        if (state.status === "submitted") { showSubmitted(draft); return steps(); }
        var mine = local();
        if (text) {
          var server = draft ? draft.text : "";
          var newer = mine && (!draft || new Date(mine.at) > new Date(draft.updated_at));
          if (text.value === "" || newer) text.value = newer ? mine.text : server;
          if (newer && mine.text !== server) save();
        }
        status.textContent = draft ? t("Draft, last saved on {date}.", { date: when(draft.updated_at) })
          : t("Not submitted yet.");
        showFiles(draft ? draft.files : []);
        showCount();
        if (state.submitted.length) {  /* a new attempt: earlier ones' steps and feedback stay in view */
          status.textContent = t("Attempt {n}: a draft, last saved on {date}.", { n: draft.attempt, date: when(draft.updated_at) });
          return steps();
        }
      });
    }

    note.hidden = true;
    form.hidden = false;
    if (text) {
      text.addEventListener("input", function () {
        keep(text.value);
        showCount();
        saved.textContent = t("Draft kept in this browser.");
        clearTimeout(timer);
        timer = setTimeout(save, 1200);
      });
    }
    if (fileInput) {
      fileInput.addEventListener("change", function () {
        var file = fileInput.files[0];
        if (!file) return;
        var data = new FormData();
        data.append("file", file, file.name);
        status.textContent = t("Uploading {name}…", { name: file.name });
        call("POST", path + "/draft/files", data).then(function () {
          status.textContent = t("{name} is attached.", { name: file.name });
          fileInput.value = "";
          return refresh().then(function () { status.textContent = t("{name} is attached.", { name: file.name }); });
        }, function (error) {
          status.textContent = t("{name} was not accepted: {reason}", { name: file.name, reason: error.message });
          fileInput.value = "";
        });
      });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      submitButton.disabled = true;
      (text ? save() : Promise.resolve()).then(function () { return call("POST", path + "/submit"); })
        .then(function (submission) { showSubmitted(submission); return steps(); },
              function (error) { status.textContent = t("Not submitted: {reason}", { reason: error.message }); })
        .then(function () { submitButton.disabled = false; });
    });
    return refresh();
  }

  fetch(api + "session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.ok ? response.json().catch(function () { return null; }) : null; },
          function () { return null; })
    .then(function (session) {
      if (!session || session.server !== "brokerlearn") return;  /* no course server: the note stays */
      csrf = session.csrf_token;
      sections.forEach(function (section) {
        var note = section.querySelector("[data-needs-server]");
        if (!session.user) {
          note.textContent = t("Sign in to write and submit your work.");
          var link = document.createElement("a");
          link.href = new URL(root + "account/login?next=" + encodeURIComponent(location.pathname), location.href).href;
          link.textContent = " " + t("Sign in");
          note.appendChild(link);
          return;
        }
        setUp(section);
      });
    });
})();
