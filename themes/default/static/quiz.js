/* brokerlearn practice quizzes: checked in the browser, the same way brokerlearn.course.grading
   checks them on the server. Graded quizzes carry no key and are left to the server. CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };

  function normalise(text) {
    return text.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }

  function parseNumber(value) {
    var text = String(value).trim().replace(/\u2212/g, "-").replace(/ /g, "");
    if ((text.match(/,/g) || []).length === 1 && text.indexOf(".") < 0) text = text.replace(",", ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
    return parseFloat(text);
  }

  function pairsInOrder(expected, given) {
    var rank = {}, good = 0, total = 0;
    given.forEach(function (id, index) { rank[id] = index; });
    for (var a = 0; a < expected.length; a++) {
      for (var b = a + 1; b < expected.length; b++) {
        total++;
        if (rank[expected[a]] < rank[expected[b]]) good++;
      }
    }
    return total ? good / total : 0;
  }

  /* Each grader returns {share, chosen} or {error}; share is the part of the points earned. */
  var graders = {
    single: function (key, response) {
      if (!response.length) return { error: t("Choose an answer.") };
      return { share: key.options[response[0]].correct ? 1 : 0, chosen: response };
    },
    multiple: function (key, response) {
      if (!response.length) return { error: t("Choose at least one answer.") };
      var right = 0, wrong = 0, total = 0;
      Object.keys(key.options).forEach(function (id) { if (key.options[id].correct) total++; });
      response.forEach(function (id) { if (key.options[id].correct) right++; else wrong++; });
      return { share: Math.max(0, (right - wrong) / total), chosen: response };
    },
    truefalse: function (key, response) {
      if (!response.length) return { error: t("Choose true or false.") };
      return { share: (response[0] === "true") === key.answer ? 1 : 0 };
    },
    numeric: function (key, response) {
      var number = parseNumber(response);
      if (number === null) return { error: t("Type a number.") };
      var slack = key.tolerance + 1e-9 * Math.max(1, Math.abs(key.answer));
      return { share: Math.abs(number - key.answer) <= slack ? 1 : 0 };
    },
    text: function (key, response) {
      var given = normalise(response);
      if (!given) return { error: t("Type an answer.") };
      if (key.accept.some(function (a) { return normalise(a) === given; })) return { share: 1 };
      if (key.pattern) {
        try {
          if (new RegExp("^(?:" + key.pattern + ")$", "iu").test(response.normalize("NFKC").trim())) return { share: 1 };
        } catch (e) { /* a pattern only the server's regular expressions understand */ }
      }
      return { share: 0 };
    },
    order: function (key, response) {
      if (response === null) return { error: t("Give every item a different position.") };
      return { share: pairsInOrder(key.items, response) };
    },
    match: function (key, response) {
      var lefts = Object.keys(key.pairs), right = 0;
      lefts.forEach(function (left) { if (response[left] === key.pairs[left]) right++; });
      return { share: right / lefts.length };
    },
    reflection: function () { return { share: 0 }; }
  };

  function readResponse(fieldset, type) {
    if (type === "single" || type === "multiple" || type === "truefalse") {
      return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    if (type === "order") {
      var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select[data-item]"));
      var positions = selects.map(function (s) { return s.value; });
      if (positions.some(function (p) { return !p; }) || new Set(positions).size !== positions.length) return null;
      return selects.slice().sort(function (a, b) { return a.value - b.value; })
        .map(function (s) { return s.getAttribute("data-item"); });
    }
    if (type === "match") {
      var answer = {};
      fieldset.querySelectorAll("select[data-left]").forEach(function (s) { answer[s.getAttribute("data-left")] = s.value; });
      return answer;
    }
    var input = fieldset.querySelector(".answer");
    return input ? input.value : "";
  }

  function formatPoints(value) {
    return String(Math.round(value * 100) / 100);
  }

  function showQuestion(fieldset, key, result) {
    var box = fieldset.querySelector(".question-feedback");
    fieldset.classList.remove("is-correct", "is-wrong", "is-partial");
    fieldset.querySelectorAll(".option-feedback").forEach(function (f) { f.textContent = ""; });
    if (result.error) {
      box.textContent = result.error;
      return;
    }
    var html = "";
    if (key.type === "reflection") {
      html = "<p class=\"verdict\">" + t("Thank you. Reflections are not marked; yours is kept in this browser only.") + "</p>";
    } else {
      var verdict = result.share >= 1 ? t("Correct.") : result.share > 0 ? t("Partly correct.") : t("Not quite.");
      fieldset.classList.add(result.share >= 1 ? "is-correct" : result.share > 0 ? "is-partial" : "is-wrong");
      html = "<p class=\"verdict\">" + verdict + " " + (key.points === 1 ? t("{earned} of {possible} point.", { earned: formatPoints(result.share * key.points), possible: formatPoints(key.points) }) : t("{earned} of {possible} points.", { earned: formatPoints(result.share * key.points), possible: formatPoints(key.points) })) + "</p>";
    }
    (result.chosen || []).forEach(function (id) {
      var option = key.options[id];
      var slot = fieldset.querySelector("[data-feedback-for=\"" + id + "\"]");
      if (option && slot) {
        slot.innerHTML = " — " + (option.correct ? t("right") : t("not right")) +
          (option.feedback_html ? ": " + option.feedback_html : "");
      }
    });
    if (key.explanation_html) html += "<div class=\"explanation\">" + key.explanation_html + "</div>";
    box.innerHTML = html;  /* the build rendered and sanitized this HTML */
  }

  function setUp(section) {
    var keyNode = section.querySelector("script.quiz-key");
    if (!keyNode) return;
    var keys = JSON.parse(keyNode.textContent);
    var form = section.querySelector("form");
    var retry = section.querySelector(".quiz-retry");
    var result = section.querySelector(".quiz-result");
    var storage = "brokerlearn:" + location.pathname + ":" + section.id;

    section.querySelectorAll(".question-reflection textarea").forEach(function (area) {
      try { area.value = localStorage.getItem(storage + ":" + area.name) || ""; } catch (e) { /* storage off */ }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var earned = 0, possible = 0, unanswered = 0;
      form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
        var key = keys[fieldset.getAttribute("data-question")];
        var outcome = graders[key.type](key, readResponse(fieldset, key.type));
        if (key.type === "reflection") {
          try { localStorage.setItem(storage + ":" + fieldset.querySelector("textarea").name, fieldset.querySelector("textarea").value); } catch (e) { /* storage off */ }
        } else {
          possible += key.points;
          if (outcome.error) unanswered++; else earned += outcome.share * key.points;
        }
        showQuestion(fieldset, key, outcome);
      });
      result.textContent = possible ? (possible === 1 ? t("You scored {earned} of {possible} point.", { earned: formatPoints(earned), possible: formatPoints(possible) }) : t("You scored {earned} of {possible} points.", { earned: formatPoints(earned), possible: formatPoints(possible) })) + (unanswered ? " " + t("{n} not answered.", { n: unanswered }) : "") : t("Saved.");
      retry.hidden = false;
      /* For listeners such as the SCORM bridge of an exported package. */
      window.dispatchEvent(new CustomEvent("brokerlearn:quiz-checked", { detail: {
        quiz: section.getAttribute("data-quiz"), earned: earned, possible: possible,
        graded: section.hasAttribute("data-marked-graded"), passMark: parseFloat(section.getAttribute("data-pass-mark") || "0") } }));
    });

    retry.addEventListener("click", function () {
      form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) { i.checked = false; });
      form.querySelectorAll("input.answer, select").forEach(function (i) { i.value = ""; });
      form.querySelectorAll(".question-feedback, .option-feedback").forEach(function (f) { f.textContent = ""; });
      form.querySelectorAll("fieldset.question").forEach(function (f) { f.classList.remove("is-correct", "is-wrong", "is-partial"); });
      result.textContent = t("Cleared: try again.");
      retry.hidden = true;
      var first = form.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  }

  document.querySelectorAll("section.quiz").forEach(setUp);
  window.brokerlearn = window.brokerlearn || {};
  window.brokerlearn.readResponse = readResponse;
})();
