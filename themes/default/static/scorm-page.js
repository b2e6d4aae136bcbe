/* brokerlearn page inside a SCORM package: tells the module's launch page which lesson is open
   and what a checked quiz scored, and marks on a module page the lessons already opened in this
   attempt (kept by the LMS across sessions). Does nothing outside a package. CC BY 4.0. */
(function () {
  "use strict";
  var sco = null;
  try { sco = window.parent !== window ? window.parent.brokerlearnScorm : null; } catch (e) { return; }
  if (!sco) return;
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var root = new URL(document.documentElement.getAttribute("data-root") || "./", location.href).href;

  function packaged(href) {  /* an address as the package's relative path, "…/" as "…/index.html" */
    var path = href.split("#")[0].split("?")[0];
    var relative = path.indexOf(root) === 0 ? path.slice(root.length) : path;
    return relative === "" || relative.slice(-1) === "/" ? relative + "index.html" : relative;
  }

  function showProgress() {
    var items = document.querySelectorAll("[data-lesson-item]");
    var done = 0, total = 0;
    items.forEach(function (item) {
      var link = item.querySelector("a");
      if (!link || sco.lessons.indexOf(packaged(link.href)) < 0) return;
      total += 1;
      if (!sco.isVisited(packaged(link.href))) return;
      done += 1;
      var mark = item.querySelector(".done-mark");
      if (mark) mark.hidden = false;
    });
    var line = document.querySelector("[data-module-progress]");
    if (!line || !total) return;
    var text = t("{completed} of {total} lessons completed", { completed: done, total: total });
    var bar = document.createElement("progress");
    bar.max = total;
    bar.value = done;
    bar.setAttribute("aria-label", text);
    var words = document.createElement("span");
    words.textContent = text;
    line.textContent = "";
    line.appendChild(bar);
    line.appendChild(words);
    line.hidden = false;
  }

  sco.visited(packaged(location.href));
  showProgress();
  document.addEventListener("brokerlearn:outline-filled", showProgress);  /* a module navigation.js filled in */
  window.addEventListener("brokerlearn:quiz-checked", function (e) { sco.quizChecked(e.detail); });
})();
