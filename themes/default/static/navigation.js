/* brokerlearn navigation: the user menu in the header, search folded into a button on a narrow
   screen, the course outline as a drawer on a phone, ticks on completed lessons and Resume from
   the browser's own progress. Without this script every part stays usable: the search form and
   the outline are simply shown. server.js announces the session ("brokerlearn:session"); the
   ticks from the account come from server.js too (the .done-mark of each [data-lesson-item]).
   CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var html = document.documentElement;
  var courseId = html.getAttribute("data-course");
  var PENDING = "brokerlearn:pending-events";  /* what server.js keeps in this browser */
  /* The one check of who may open the administration (extend the list for a new staff role). */
  var STAFF_ROLES = ["admin", "trainer"];

  html.classList.add("has-nav");

  function canAdminister(user) {
    return !!user && STAFF_ROLES.indexOf(user.role) !== -1;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  /* A button that shows and hides a panel: aria-expanded, Escape closes and returns focus.
     `onOpen` may move the focus into the panel. */
  function disclosure(button, panel, openClass, onOpen) {
    function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
    function set(open, returnFocus) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle(openClass, open);
      if (open && onOpen) onOpen();
      if (!open && returnFocus) button.focus();
    }
    button.addEventListener("click", function () { set(!isOpen()); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && isOpen()) { e.preventDefault(); set(false, true); }
    });
    button.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && isOpen()) { e.preventDefault(); set(false, true); }
    });
    document.addEventListener("click", function (e) {
      if (isOpen() && !panel.contains(e.target) && !button.contains(e.target)) set(false);
    });
    return { set: set, isOpen: isOpen };
  }

  /* Search: a button on a narrow screen (CSS shows it there) opens the field. */
  function foldSearch() {
    var toggle = document.querySelector(".search-toggle");
    var form = document.getElementById("site-search");
    if (!toggle || !form) return;
    toggle.hidden = false;
    disclosure(toggle, form, "is-open", function () { form.querySelector("input").focus(); });
  }

  /* The course outline: the side column on a wide screen, a drawer on a narrow one. */
  function outlineDrawer() {
    var toggle = document.querySelector(".outline-toggle");
    var outline = document.getElementById("bl-outline");
    if (!toggle || !outline) return;
    toggle.hidden = false;
    var close = outline.querySelector(".outline-close");
    close.hidden = false;
    var drawer = disclosure(toggle, outline, "is-open", function () {
      var current = outline.querySelector("[aria-current=page]") || outline.querySelector("a");
      if (current) current.focus();
    });
    close.addEventListener("click", function () { drawer.set(false, true); });
    outline.addEventListener("focusout", function (e) {  /* tabbing out of the drawer closes it */
      if (drawer.isOpen() && e.relatedTarget && !outline.contains(e.relatedTarget) && e.relatedTarget !== toggle) drawer.set(false);
    });
  }

  /* The outline's other modules: their entries are in the course's outline.js (one file for
     all its lesson pages), copied from the page's <template id="bl-outline-entries"> when the
     learner opens the module. Without this script or that file, a closed module still links to
     its module page, which lists its lessons. Other scripts tick the new entries on
     "brokerlearn:outline-filled" (server.js, scorm-page.js). */
  function fillOutline() {
    var entries = document.getElementById("bl-outline-entries");
    var data = window.brokerlearnOutline;
    if (!entries || !data || data.course !== courseId) return;
    var lessonEntry = entries.content.querySelector("[data-lesson-item]");
    var quizEntry = entries.content.querySelector("[data-quiz]");

    function entry(template, attribute, values) {  /* values: [id, title, url or null] */
      var item = template.cloneNode(true);
      var link = item.querySelector("a");
      item.setAttribute(attribute, values[0]);
      if (values[2]) {
        link.setAttribute("href", values[2]);
        link.textContent = values[1];  /* text, never HTML */
      } else {
        link.parentNode.replaceChild(document.createTextNode(values[1]), link);
      }
      return item;
    }

    function fill(details) {
      var module = data.modules[details.getAttribute("data-outline-fill")];
      details.removeAttribute("data-outline-fill");
      if (!module) return;
      var list = details.querySelector(".outline-lessons");
      var done = locallyCompleted();
      module.lessons.forEach(function (values) {
        var item = list.appendChild(entry(lessonEntry, "data-lesson-item", values));
        if (done[values[0]]) tick(item);
      });
      module.quizzes.forEach(function (values) { list.appendChild(entry(quizEntry, "data-quiz", values)); });
      details.dispatchEvent(new CustomEvent("brokerlearn:outline-filled", { bubbles: true }));
      if (module.quizzes.length && window.brokerlearn && window.brokerlearn.refreshAssessments) {
        window.brokerlearn.refreshAssessments();  /* their status, as on the entries in the page */
      }
    }

    document.querySelectorAll("#bl-outline details[data-outline-fill]").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open && details.hasAttribute("data-outline-fill")) fill(details);
      });
    });
  }

  /* Lessons completed in this browser (kept by server.js until they reach an account). */
  function locallyCompleted() {
    var done = {};
    try {
      JSON.parse(localStorage.getItem(PENDING) || "[]").forEach(function (e) {
        if (e.kind === "lesson_completed" && e.course === courseId) done[e.item] = true;
      });
    } catch (e) { /* storage off */ }
    return done;
  }

  function tick(item) {
    var mark = item.querySelector(".done-mark");
    if (mark) mark.hidden = false;
  }

  function showLocalProgress() {
    if (!courseId) return;
    var done = locallyCompleted();
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-lesson-item]"));
    items.forEach(function (item) { if (done[item.getAttribute("data-lesson-item")]) tick(item); });
    /* Course home: Resume at the first lesson not completed (server.js sets the account's). */
    var start = document.querySelector("[data-start-link]");
    if (start && Object.keys(done).length) {
      var next = items.filter(function (item) { return !done[item.getAttribute("data-lesson-item")]; })[0];
      var link = next && next.querySelector("a");
      if (link) {
        start.href = link.getAttribute("href");
        start.textContent = t("Resume: {title}", { title: link.textContent });
      }
    }
    /* A lesson marked complete on this page gets its tick at once. */
    var lessonId = document.body.getAttribute("data-lesson");
    var button = document.querySelector("[data-lesson-complete] button");
    if (!lessonId || !button || !window.MutationObserver) return;
    new MutationObserver(function () {
      if (button.getAttribute("aria-pressed") !== "true") return;
      document.querySelectorAll("[data-lesson-item=\"" + lessonId + "\"]").forEach(tick);
    }).observe(button, { attributes: true, attributeFilter: ["aria-pressed"] });
  }

  /* The user menu: the learner's name opens their places and Sign out. */
  function menuItem(list, content) {
    var item = element("li");
    item.appendChild(content);
    list.appendChild(item);
    return item;
  }

  function userMenu(box, session) {
    var user = session.user;
    var button = element("button", { type: "button", "class": "header-button user-button",
      "aria-expanded": "false", "aria-controls": "bl-user-menu" });
    button.appendChild(element("span", { "class": "user-name" }, user.name || user.email));  /* cut on a phone */
    var list = element("ul", { id: "bl-user-menu", "class": "user-menu" });
    list.setAttribute("aria-label", t("Your account"));
    menuItem(list, element("a", { href: "/dashboard" }, t("Your learning")));
    menuItem(list, element("a", { href: "/account/settings" }, t("Account settings")));
    if (canAdminister(user)) menuItem(list, element("a", { href: "/admin/" }, t("Administration")));
    var form = element("form", { method: "post", action: "/account/logout" });
    form.appendChild(element("input", { type: "hidden", name: "csrf_token", value: session.csrf_token || "" }));
    form.appendChild(element("button", { type: "submit" }, t("Sign out")));
    menuItem(list, form);
    box.appendChild(button);
    box.appendChild(list);
    var menu = disclosure(button, list, "is-open");
    function entries() { return Array.prototype.slice.call(list.querySelectorAll("a, button")); }
    button.addEventListener("keydown", function (e) {  /* arrow down opens and enters the menu */
      if (e.key === "ArrowDown") { e.preventDefault(); menu.set(true); entries()[0].focus(); }
    });
    list.addEventListener("keydown", function (e) {
      var all = entries();
      var at = all.indexOf(document.activeElement);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        all[(at + (e.key === "ArrowDown" ? 1 : all.length - 1)) % all.length].focus();
      } else if (e.key === "Home" || e.key === "End") {
        e.preventDefault();
        all[e.key === "Home" ? 0 : all.length - 1].focus();
      }
    });
    box.addEventListener("focusout", function (e) {
      if (menu.isOpen() && e.relatedTarget && !box.contains(e.relatedTarget)) menu.set(false);
    });
  }

  function showUser(session) {
    var box = document.querySelector("[data-user-menu]");
    if (!box || box.childNodes.length) return;
    if (session.user) userMenu(box, session);
    else box.appendChild(element("a", { "class": "sign-in", href: "/account/login?next=" + encodeURIComponent(location.pathname) }, t("Sign in")));
    box.hidden = false;
  }

  /* Parts of a page that differ for a signed-in learner (the qualification page's hint). */
  function showSignedIn(signedIn) {
    document.querySelectorAll("[data-when-signed-in]").forEach(function (node) { node.hidden = !signedIn; });
    document.querySelectorAll("[data-when-signed-out]").forEach(function (node) { node.hidden = signedIn; });
  }

  /* After "Create an account" the server sends the learner back where they were, with ?welcome. */
  function welcome(session) {
    var params = new URLSearchParams(location.search);
    if (!params.has("welcome")) return;
    params.delete("welcome");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    if (!session.user) return;
    var box = element("div", { "class": "wrap flash-messages", role: "status" });
    box.appendChild(element("p", { "class": "form-done" },
      t("Welcome, {name} — your account is ready.", { name: session.user.name || session.user.email })));
    var header = document.querySelector(".site-header");
    header.parentNode.insertBefore(box, header.nextSibling);
  }

  window.addEventListener("brokerlearn:session", function (e) {
    var session = e.detail || {};
    showUser(session);
    showSignedIn(!!session.user);
    welcome(session);
  });

  foldSearch();
  outlineDrawer();
  fillOutline();
  showLocalProgress();
})();
