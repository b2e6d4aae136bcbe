/* brokerlearn interface words for the page's scripts: the translations come with the page
   (the JSON block #bl-messages); t("Text {n}", {n: 3}) returns the translation, or the text.
   CC BY 4.0. */
(function () {
  "use strict";
  var messages = {};
  try { messages = JSON.parse(document.getElementById("bl-messages").textContent) || {}; } catch (e) { /* none */ }
  window.brokerlearnT = function (text, values) {
    var result = messages[text] || text;
    Object.keys(values || {}).forEach(function (key) { result = result.split("{" + key + "}").join(values[key]); });
    return result;
  };
})();
