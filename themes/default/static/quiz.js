/* brokerlearn practice quizzes: checked in the browser, the same way brokerlearn.course.grading
   checks them on the server (tests/test_grading.py runs both over one table of cases). Each
   question type reads and grades itself: its module in brokerlearn/course/questions/ carries
   its browser grader, and the build assembles them into question-types.js, loaded before this
   file; here are only the helpers they share (`lib`) and the page around them. Graded quizzes
   carry no key and are left to the server. CC BY 4.0. */
(function () {
  "use strict";
  var hasWindow = typeof window !== "undefined";
  var types = hasWindow ? window.brokerlearnQuestionTypes || {} : {};
  var t = (hasWindow && window.brokerlearnT) || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };

  /* Python's str.isspace() characters, and what str.casefold() does beyond toLowerCase()
     (ß -> ss, final sigma -> sigma, ...). Generated from Python: scripts/casefold-table. */
  var SPACES = /[\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  var FOLD = {"\u00b5":"\u03bc","\u00df":"ss","\u0149":"\u02bcn","\u017f":"s","\u01f0":"j\u030c","\u0345":"\u03b9","\u0390":"\u03b9\u0308\u0301","\u03b0":"\u03c5\u0308\u0301","\u03c2":"\u03c3","\u03d0":"\u03b2","\u03d1":"\u03b8","\u03d5":"\u03c6","\u03d6":"\u03c0","\u03f0":"\u03ba","\u03f1":"\u03c1","\u03f5":"\u03b5","\u0587":"\u0565\u0582","\u13f8":"\u13f0","\u13f9":"\u13f1","\u13fa":"\u13f2","\u13fb":"\u13f3","\u13fc":"\u13f4","\u13fd":"\u13f5","\u1c80":"\u0432","\u1c81":"\u0434","\u1c82":"\u043e","\u1c83":"\u0441","\u1c84":"\u0442","\u1c85":"\u0442","\u1c86":"\u044a","\u1c87":"\u0463","\u1c88":"\ua64b","\u1e96":"h\u0331","\u1e97":"t\u0308","\u1e98":"w\u030a","\u1e99":"y\u030a","\u1e9a":"a\u02be","\u1e9b":"\u1e61","\u1f50":"\u03c5\u0313","\u1f52":"\u03c5\u0313\u0300","\u1f54":"\u03c5\u0313\u0301","\u1f56":"\u03c5\u0313\u0342","\u1f80":"\u1f00\u03b9","\u1f81":"\u1f01\u03b9","\u1f82":"\u1f02\u03b9","\u1f83":"\u1f03\u03b9","\u1f84":"\u1f04\u03b9","\u1f85":"\u1f05\u03b9","\u1f86":"\u1f06\u03b9","\u1f87":"\u1f07\u03b9","\u1f90":"\u1f20\u03b9","\u1f91":"\u1f21\u03b9","\u1f92":"\u1f22\u03b9","\u1f93":"\u1f23\u03b9","\u1f94":"\u1f24\u03b9","\u1f95":"\u1f25\u03b9","\u1f96":"\u1f26\u03b9","\u1f97":"\u1f27\u03b9","\u1fa0":"\u1f60\u03b9","\u1fa1":"\u1f61\u03b9","\u1fa2":"\u1f62\u03b9","\u1fa3":"\u1f63\u03b9","\u1fa4":"\u1f64\u03b9","\u1fa5":"\u1f65\u03b9","\u1fa6":"\u1f66\u03b9","\u1fa7":"\u1f67\u03b9","\u1fb2":"\u1f70\u03b9","\u1fb3":"\u03b1\u03b9","\u1fb4":"\u03ac\u03b9","\u1fb6":"\u03b1\u0342","\u1fb7":"\u03b1\u0342\u03b9","\u1fbe":"\u03b9","\u1fc2":"\u1f74\u03b9","\u1fc3":"\u03b7\u03b9","\u1fc4":"\u03ae\u03b9","\u1fc6":"\u03b7\u0342","\u1fc7":"\u03b7\u0342\u03b9","\u1fd2":"\u03b9\u0308\u0300","\u1fd3":"\u03b9\u0308\u0301","\u1fd6":"\u03b9\u0342","\u1fd7":"\u03b9\u0308\u0342","\u1fe2":"\u03c5\u0308\u0300","\u1fe3":"\u03c5\u0308\u0301","\u1fe4":"\u03c1\u0313","\u1fe6":"\u03c5\u0342","\u1fe7":"\u03c5\u0308\u0342","\u1ff2":"\u1f7c\u03b9","\u1ff3":"\u03c9\u03b9","\u1ff4":"\u03ce\u03b9","\u1ff6":"\u03c9\u0342","\u1ff7":"\u03c9\u0342\u03b9","\uab70":"\u13a0","\uab71":"\u13a1","\uab72":"\u13a2","\uab73":"\u13a3","\uab74":"\u13a4","\uab75":"\u13a5","\uab76":"\u13a6","\uab77":"\u13a7","\uab78":"\u13a8","\uab79":"\u13a9","\uab7a":"\u13aa","\uab7b":"\u13ab","\uab7c":"\u13ac","\uab7d":"\u13ad","\uab7e":"\u13ae","\uab7f":"\u13af","\uab80":"\u13b0","\uab81":"\u13b1","\uab82":"\u13b2","\uab83":"\u13b3","\uab84":"\u13b4","\uab85":"\u13b5","\uab86":"\u13b6","\uab87":"\u13b7","\uab88":"\u13b8","\uab89":"\u13b9","\uab8a":"\u13ba","\uab8b":"\u13bb","\uab8c":"\u13bc","\uab8d":"\u13bd","\uab8e":"\u13be","\uab8f":"\u13bf","\uab90":"\u13c0","\uab91":"\u13c1","\uab92":"\u13c2","\uab93":"\u13c3","\uab94":"\u13c4","\uab95":"\u13c5","\uab96":"\u13c6","\uab97":"\u13c7","\uab98":"\u13c8","\uab99":"\u13c9","\uab9a":"\u13ca","\uab9b":"\u13cb","\uab9c":"\u13cc","\uab9d":"\u13cd","\uab9e":"\u13ce","\uab9f":"\u13cf","\uaba0":"\u13d0","\uaba1":"\u13d1","\uaba2":"\u13d2","\uaba3":"\u13d3","\uaba4":"\u13d4","\uaba5":"\u13d5","\uaba6":"\u13d6","\uaba7":"\u13d7","\uaba8":"\u13d8","\uaba9":"\u13d9","\uabaa":"\u13da","\uabab":"\u13db","\uabac":"\u13dc","\uabad":"\u13dd","\uabae":"\u13de","\uabaf":"\u13df","\uabb0":"\u13e0","\uabb1":"\u13e1","\uabb2":"\u13e2","\uabb3":"\u13e3","\uabb4":"\u13e4","\uabb5":"\u13e5","\uabb6":"\u13e6","\uabb7":"\u13e7","\uabb8":"\u13e8","\uabb9":"\u13e9","\uabba":"\u13ea","\uabbb":"\u13eb","\uabbc":"\u13ec","\uabbd":"\u13ed","\uabbe":"\u13ee","\uabbf":"\u13ef","\ufb00":"ff","\ufb01":"fi","\ufb02":"fl","\ufb03":"ffi","\ufb04":"ffl","\ufb05":"st","\ufb06":"st","\ufb13":"\u0574\u0576","\ufb14":"\u0574\u0565","\ufb15":"\u0574\u056b","\ufb16":"\u057e\u0576","\ufb17":"\u0574\u056d"};
  var MAX_TEXT = 2000;

  function words(text) {
    return text.split(SPACES).filter(Boolean);
  }

  function casefold(text) {
    return Array.from(text.toLowerCase(), function (c) { return FOLD[c] || c; }).join("");
  }

  /* grading.normalise_text: NFKC, case folded, whitespace runs made one space. */
  function normalise(text) {
    return words(casefold(text.normalize("NFKC"))).join(" ");
  }

  /* grading.parse_number */
  function parseNumber(value) {
    if (typeof value === "number") return isFinite(value) ? value : null;
    if (typeof value !== "string") return null;
    var text = words(String(value).normalize("NFKC")).join("").replace(/\u2212/g, "-");
    if ((text.match(/,/g) || []).length === 1 && text.indexOf(".") < 0) text = text.replace(",", ".");
    if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return null;
    var number = parseFloat(text);
    return isFinite(number) ? number : null;
  }

  /* patterns.pattern_matches: the build allows only patterns both engines read alike. */
  function patternMatches(pattern, answer) {
    try {
      return new RegExp("^(?:" + pattern + ")$", "iu").test(words(answer.normalize("NFKC")).join(" "));
    } catch (e) { return false; /* refused by the build, so not reached */ }
  }

  /* base.typed_text: a typed answer of a usable length, normalised; null otherwise. */
  function typedText(response) {
    if (typeof response !== "string" || Array.from(response).length > MAX_TEXT) return null;
    return normalise(response);
  }

  function has(object, name) {
    return Object.prototype.hasOwnProperty.call(object, name);
  }

  /* What every type's grader may use: grade(key, response, lib) -> {share, chosen} or {error}. */
  var lib = { t: t, has: has, normalise: normalise, typedText: typedText, parseNumber: parseNumber,
              patternMatches: patternMatches, MAX_TEXT: MAX_TEXT };

  function gradeResponse(typeSet, key, response) {
    return typeSet[key.type].grade(key, response, lib);
  }

  /* The answer as the server receives it (null: not answered); server.js sends it as it is. */
  function readResponse(fieldset, type) {
    return types[type].read(fieldset);
  }

  function formatPoints(value) {
    return String(Math.round(value * 100) / 100);
  }

  function pointsText(earned, possible) {
    var values = { earned: formatPoints(earned), possible: formatPoints(possible) };
    return possible === 1 ? t("{earned} of {possible} point.", values) : t("{earned} of {possible} points.", values);
  }

  /* The explanation, and for a choice question which options are right: shown once the answer
     is right, or when the learner asks for it ("Show the answer"), never after a wrong try. */
  function revealAnswer(fieldset, key, box) {
    Object.keys(key.options || {}).forEach(function (id) {
      var slot = fieldset.querySelector("[data-feedback-for=\"" + id + "\"]");
      if (slot && key.options[id].correct && !slot.textContent) slot.textContent = " — " + t("the right answer");
    });
    if (key.explanation_html) {
      var explanation = document.createElement("div");
      explanation.className = "explanation";
      explanation.innerHTML = key.explanation_html;  /* the build rendered and sanitized this HTML */
      box.appendChild(explanation);
    }
  }

  /* `withPoints`: the question's points in its verdict (not when the quiz has this one question,
     whose score the quiz's result states). */
  function showQuestion(fieldset, key, result, withPoints) {
    var box = fieldset.querySelector(".question-feedback");
    fieldset.classList.remove("is-correct", "is-wrong", "is-partial");
    fieldset.querySelectorAll(".option-feedback").forEach(function (f) { f.textContent = ""; });
    box.textContent = "";
    if (result.error) {
      box.textContent = result.error;
      return;
    }
    var verdict = document.createElement("p");
    verdict.className = "verdict";
    box.appendChild(verdict);
    if (key.scored === false) {
      verdict.textContent = t("Thank you. Reflections are not marked; yours is kept in this browser only.");
      return;
    }
    var right = result.share >= 1;
    verdict.textContent = (right ? t("Correct.") : result.share > 0 ? t("Partly correct.") : t("Not quite.")) +
      (withPoints ? " " + pointsText(result.share * key.points, key.points) : "");
    fieldset.classList.add(right ? "is-correct" : result.share > 0 ? "is-partial" : "is-wrong");
    (result.chosen || []).forEach(function (id) {
      var option = key.options[id];
      var slot = fieldset.querySelector("[data-feedback-for=\"" + id + "\"]");
      if (option && slot) {
        slot.innerHTML = " — " + (option.correct ? t("right") : t("not right")) +
          (option.feedback_html ? ": " + option.feedback_html : "");
      }
    });
    if (right) { revealAnswer(fieldset, key, box); return; }
    if (!key.explanation_html && !key.options) return;  /* nothing more to show */
    var show = document.createElement("button");
    show.type = "button";
    show.className = "button button-secondary show-answer";
    show.textContent = t("Show the answer");
    show.addEventListener("click", function () {
      show.remove();
      revealAnswer(fieldset, key, box);
      var shown = box.querySelector(".explanation");
      if (shown) { shown.tabIndex = -1; shown.focus(); }
    });
    box.appendChild(show);
  }

  /* Back to a blank quiz: no answer, tick, mark, verdict, explanation or score left. Practice and
     graded quizzes alike (server.js starts the graded quiz's next attempt on the same click). */
  function clear(section) {
    var form = section.querySelector("form");
    form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) { i.checked = false; });
    form.querySelectorAll("input.answer, select").forEach(function (i) { i.value = ""; });
    form.querySelectorAll(".question-feedback, .option-feedback").forEach(function (f) { f.textContent = ""; });
    form.querySelectorAll("fieldset.question").forEach(function (f) { f.classList.remove("is-correct", "is-wrong", "is-partial"); });
    section.querySelector(".quiz-result").textContent = t("Cleared: try again.");
    section.querySelector(".quiz-retry").hidden = true;
    var first = form.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  function setUp(section) {
    var retry = section.querySelector(".quiz-retry");
    var keyNode = section.querySelector("script.quiz-key");
    if (!keyNode) {  /* graded: marked by the server (server.js); the retry starts clean here too */
      if (retry) retry.addEventListener("click", function () { clear(section); });
      return;
    }
    var keys = JSON.parse(keyNode.textContent);
    var form = section.querySelector("form");
    var check = form.querySelector("button[type=submit]");
    var result = section.querySelector(".quiz-result");
    var storage = "brokerlearn:" + location.pathname + ":" + section.id;
    var scored = Object.keys(keys).filter(function (id) { return keys[id].scored !== false; }).length;

    section.querySelectorAll("textarea[data-keep]").forEach(function (area) {
      try { area.value = localStorage.getItem(storage + ":" + area.name) || ""; } catch (e) { /* storage off */ }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (check.hidden) return;  /* checked already: "Try again" first */
      var earned = 0, possible = 0, unanswered = 0, questions = 0;
      form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
        var key = keys[fieldset.getAttribute("data-question")];
        var outcome = gradeResponse(types, key, readResponse(fieldset, key.type));
        fieldset.querySelectorAll("textarea[data-keep]").forEach(function (area) {
          try { localStorage.setItem(storage + ":" + area.name, area.value); } catch (e) { /* storage off */ }
        });
        questions++;
        if (key.scored !== false) {
          possible += key.points;
          if (outcome.error) unanswered++; else earned += outcome.share * key.points;
        }
        showQuestion(fieldset, key, outcome, scored > 1);
      });
      if (unanswered && unanswered === questions) {  /* nothing answered: no score, no try used */
        result.textContent = t("{n} not answered.", { n: unanswered });
        return;
      }
      result.textContent = possible ? (possible === 1 ? t("You scored {earned} of {possible} point.", { earned: formatPoints(earned), possible: formatPoints(possible) }) : t("You scored {earned} of {possible} points.", { earned: formatPoints(earned), possible: formatPoints(possible) })) + (unanswered ? " " + t("{n} not answered.", { n: unanswered }) : "") : t("Saved.");
      check.hidden = true;  /* one check per try: "Try again" starts the next */
      retry.hidden = false;
      /* For listeners such as the SCORM bridge of an exported package. */
      window.dispatchEvent(new CustomEvent("brokerlearn:quiz-checked", { detail: {
        quiz: section.getAttribute("data-quiz"), earned: earned, possible: possible,
        graded: section.hasAttribute("data-marked-graded"), passMark: parseFloat(section.getAttribute("data-pass-mark") || "0") } }));
    });

    retry.addEventListener("click", function () {
      clear(section);
      check.hidden = false;
    });
  }

  if (typeof module !== "undefined" && module.exports) {  /* node, for the tests */
    module.exports = { check: gradeResponse, lib: lib, normalise: normalise, parseNumber: parseNumber,
                       patternMatches: patternMatches, formatPoints: formatPoints };
  }
  if (!hasWindow) return;
  document.querySelectorAll("section.quiz").forEach(setUp);
  window.brokerlearn = window.brokerlearn || {};
  window.brokerlearn.readResponse = readResponse;
  window.brokerlearn.formatPoints = formatPoints;
})();
