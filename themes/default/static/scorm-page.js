/* brokerlearn page inside a SCORM package: tells the module's launch page which lesson is open
   and what a checked quiz scored. Does nothing outside a package. CC BY 4.0. */
(function () {
  "use strict";
  var sco = null;
  try { sco = window.parent !== window ? window.parent.brokerlearnScorm : null; } catch (e) { return; }
  if (!sco) return;
  var root = new URL(document.documentElement.getAttribute("data-root") || "./", location.href).href;
  var path = location.href.split("#")[0].split("?")[0];
  var relative = path.indexOf(root) === 0 ? path.slice(root.length) : path;
  if (relative === "" || relative.slice(-1) === "/") relative += "index.html";
  sco.visited(relative);
  window.addEventListener("brokerlearn:quiz-checked", function (e) { sco.quizChecked(e.detail); });
})();
