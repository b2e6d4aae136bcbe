/* Assessed work (issue 18): the signed-in learner's timeline of each assignment, from the course
   server (GET /api/timeline/COURSE, in the learner's language): the one next step with its
   date, then every step with its state in words. Shown in each assignment block of a lesson
   (section.assignment with a form) and in the module page's "Your assessed work" box
   ([data-assignment-timeline], ?module=SLUG). The same markup as the dashboard's
   (templates/_assignment_timeline.html). Signed out or without a server it shows nothing and
   asks no more. CC BY 4.0. */
(function () {
  "use strict";
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.assignment[data-assignment]"))
    .filter(function (s) { return s.querySelector(".assignment-form"); });  /* in a package: none */
  var box = document.querySelector("[data-assignment-timeline]");
  if (!sections.length && !box) return;
  var root = new URL(document.documentElement.getAttribute("data-root") || "./", location.href);
  var api = new URL("api/", root).href;

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("application/json") !== 0) return null;
      return r.json();
    }).catch(function () { return null; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function link(text, url) {
    if (!url) return document.createTextNode(text);
    var a = el("a", "", text);
    a.href = new URL(url, root).href;
    return a;
  }

  function render(a, heading, withTitle) {
    var div = el("div", "assignment-timeline");
    div.setAttribute("data-timeline", a.id);
    if (withTitle) {
      var title = el(heading, "assignment-timeline-title");
      title.appendChild(link(a.title, a.url));
      div.appendChild(title);
    }
    var next = el("p", "assignment-next");
    if (a.next) {
      if (a.next.overdue) next.classList.add("assignment-overdue");
      next.appendChild(withTitle && a.next.action ? link(a.next.text, a.url) : document.createTextNode(a.next.text));
    } else {
      next.textContent = a.summary;
    }
    div.appendChild(next);
    var list = el("ol", "timeline-steps");
    list.setAttribute("aria-label", a.title);
    a.steps.forEach(function (s) {
      var li = el("li", "timeline-step");
      li.setAttribute("data-state", s.state);
      if (a.next && a.next.key === s.key) li.setAttribute("aria-current", "step");
      li.appendChild(el("span", "timeline-state", s.state_label));
      li.appendChild(document.createTextNode(" "));
      var body = el("span", "timeline-body");
      body.appendChild(el("span", "timeline-label", s.label));
      if (s.when) { body.appendChild(document.createTextNode(" ")); body.appendChild(el("span", "timeline-when", s.when)); }
      if (s.note) { body.appendChild(document.createTextNode(" ")); body.appendChild(el("span", "timeline-note", s.note)); }
      li.appendChild(body);
      list.appendChild(li);
    });
    div.appendChild(list);
    return div;
  }

  function show(course, module) {
    var url = api + "timeline/" + encodeURIComponent(course) + (module ? "?module=" + encodeURIComponent(module) : "");
    return getJson(url).then(function (data) {
      if (!data) return;
      var byId = {};
      data.assignments.forEach(function (a) { byId[a.id] = a; });
      sections.forEach(function (section) {
        var a = byId[section.getAttribute("data-assignment")];
        var old = section.querySelector(".assignment-timeline");
        if (!a) return;
        var fresh = render(a, "h3", false);
        fresh.setAttribute("role", "status");  /* read out when it changes after submitting */
        if (old) old.replaceWith(fresh);
        else section.querySelector(".assignment-title").insertAdjacentElement("afterend", fresh);
      });
      if (box && module) {
        box.querySelectorAll(".assignment-timeline").forEach(function (n) { n.remove(); });
        data.assignments.forEach(function (a) { box.appendChild(render(a, "h3", true)); });
        box.hidden = !data.assignments.length;
      }
    });
  }

  /* Who is signed in: the answer server.js already has (window.brokerlearnSession: this script
     runs before it, so it asks once the page's scripts have run), else asked here. */
  function whoIsSignedIn() {  /* after every deferred script has run, server.js included */
    var known = window.brokerlearnSession;
    return known ? known.then(function (answer) { return answer === "later" ? null : answer; }) : getJson(api + "session");
  }
  new Promise(function (go) {  /* DOMContentLoaded comes after every deferred script; "load" if it has passed */
    if (document.readyState === "complete") { go(); return; }
    document.addEventListener("DOMContentLoaded", go);
    window.addEventListener("load", go);
  }).then(whoIsSignedIn).then(function (session) {
    if (!session || session.server !== "brokerlearn" || !session.user) return;
    if (box) show(box.getAttribute("data-assignment-timeline"), box.getAttribute("data-module"));
    var course = sections.length && sections[0].getAttribute("data-course");
    if (!course) return;
    show(course);
    var again = function () { setTimeout(function () { show(course); }, 1200); };
    document.addEventListener("brokerlearn:assignment-changed", function () { show(course); });
    sections.forEach(function (s) { s.querySelector(".assignment-form").addEventListener("submit", again); });
  });
}());
