/* Assessed work (issue 18), the steps after submitting, loaded by assignment.js once a learner
   has submitted: their steps (what is done, what is next), rating the trainer's examples,
   reviewing a peer's work (no names either way), the optional self-review, asking for a
   trainer, and, once the trainer releases the result, the feedback with each review's
   helpfulness, and a new attempt where the rules allow one. Every form is native HTML: levels are
   radio buttons (arrow keys move within a criterion), so it all works by keyboard and on a phone.
   The server decides everything; this only shows it. CC BY 4.0. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function button(label, secondary) {
    var b = el("button", "button" + (secondary ? " button-secondary" : ""), label);
    b.type = "button";
    return b;
  }

  window.brokerlearnAssignmentSteps = function (section, ctx) {
    var t = ctx.t, call = ctx.call, path = ctx.path;
    var uid = section.id + "-flow";
    var flow = section.querySelector(".assignment-flow");
    if (!flow) {
      flow = el("div", "assignment-flow");
      section.appendChild(flow);
    }
    var rubric = null, last = null;

    function points(n) { return n === 1 ? t("{n} point", { n: n }) : t("{n} points", { n: n }); }

    /* ---- the rubric as a form ------------------------------------------------------------ */
    function rubricForm(prefix, options) {
      var wrap = el("div", "rubric-form"), readers = [], needs = [];
      rubric.criteria.forEach(function (c) {
        if (c.kind === "comment" && !options.comments) return;
        var id = prefix + "-" + c.id, given = (options.values || {})[c.id] || {};
        var box = el("fieldset", "rubric-criterion");
        box.appendChild(el("legend", null, c.title));
        if (c.description) box.appendChild(el("p", "rubric-help", c.description));
        var read;
        if (c.kind === "levels") {
          var radios = c.levels.map(function (level, i) {
            var label = el("label", "rubric-choice"), input = el("input");
            input.type = "radio";
            input.name = id;
            input.value = level.id;
            input.id = id + "-" + i;
            input.checked = given.level === level.id;
            label.appendChild(input);
            var words = el("span", "rubric-choice-text");
            words.appendChild(el("strong", null, level.title));
            words.appendChild(document.createTextNode(" (" + points(level.points) + ")" +
              (level.id === c.expected ? " · " + t("meets the standard") : "")));
            words.appendChild(el("span", "rubric-choice-descriptor", level.descriptor));
            label.appendChild(words);
            box.appendChild(label);
            return input;
          });
          read = function () {
            var on = radios.filter(function (r) { return r.checked; })[0];
            return on ? { level: on.value } : {};
          };
        } else if (c.kind === "checklist") {
          var boxes = c.items.map(function (item, i) {
            var label = el("label", "rubric-choice"), input = el("input");
            input.type = "checkbox";
            input.value = item;
            input.id = id + "-" + i;
            input.checked = (given.checks || []).indexOf(item) >= 0;
            label.appendChild(input);
            label.appendChild(el("span", "rubric-choice-text", item));
            box.appendChild(label);
            return input;
          });
          read = function () {
            return { checks: boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }) };
          };
        } else if (c.kind === "points") {
          var label = el("label", "rubric-points-label", t("Points (0 to {max})", { max: c.max_points }));
          var number = el("input", "rubric-points-input");
          number.type = "number";
          number.min = "0";
          number.max = String(c.max_points);
          number.step = "any";
          number.inputMode = "decimal";
          number.id = id + "-points";
          label.htmlFor = number.id;
          if (given.points !== undefined) number.value = given.points;
          box.appendChild(label);
          box.appendChild(number);
          read = function () { return number.value === "" ? {} : { points: Number(number.value) }; };
        } else {
          read = function () { return {}; };
        }
        var comment = null;
        if (options.comments) {
          var commentLabel = el("label", "rubric-comment-label",
            c.kind === "comment" ? t("Your comment") : t("Comment (needed when you rate below the standard)"));
          comment = el("textarea", "rubric-comment");
          comment.id = id + "-comment";
          comment.rows = 3;
          comment.value = given.comment || "";
          commentLabel.htmlFor = comment.id;
          box.appendChild(commentLabel);
          box.appendChild(comment);
        }
        if (comment) {
          needs.push({ title: c.title, comment: comment, below: function () {
            if (c.kind === "comment") return true;
            var r = read();
            if (c.kind === "levels") {
              var ids = c.levels.map(function (l) { return l.id; });
              return r.level !== undefined && ids.indexOf(r.level) < ids.indexOf(c.expected);
            }
            var got = c.kind === "checklist" ? r.checks.length : r.points;
            var top = c.kind === "checklist" ? c.items.length : c.max_points;
            return got !== undefined && got < top / 2;
          } });
        }
        readers.push(function (out) {
          var rating = read();
          if (comment && comment.value.trim()) rating.comment = comment.value;
          out[c.id] = rating;
        });
        wrap.appendChild(box);
      });
      wrap.silent = function () {
        return needs.filter(function (n) {
          var missing = n.below() && !n.comment.value.trim();
          if (missing) n.comment.setAttribute("aria-invalid", "true"); else n.comment.removeAttribute("aria-invalid");
          return missing;
        });
      };
      wrap.read = function () {
        var out = {};
        readers.forEach(function (r) { r(out); });
        return out;
      };
      return wrap;
    }

    function overall(prefix, label, value) {
      var wrap = el("div", "rubric-overall");
      var l = el("label", "assignment-label", label), area = el("textarea", "rubric-comment");
      area.id = prefix + "-overall";
      area.rows = 3;
      area.value = value || "";
      l.htmlFor = area.id;
      wrap.appendChild(l);
      wrap.appendChild(area);
      wrap.area = area;
      return wrap;
    }

    function panel(title) {
      var box = el("div", "assignment-panel"), heading = el("h4", "assignment-panel-title", title);
      heading.tabIndex = -1;
      box.appendChild(heading);
      var old = flow.querySelector(".assignment-panel");
      if (old) flow.replaceChild(box, old); else flow.appendChild(box);
      box.focusTitle = function () { heading.focus(); };
      return box;
    }

    function statusLine(box) {
      var line = el("p", "assignment-panel-status");
      line.setAttribute("role", "status");
      line.say = function (text, error) {
        line.textContent = error ? text.charAt(0).toUpperCase() + text.slice(1) : text;
        line.classList.toggle("is-error", !!error);
      };
      box.appendChild(line);
      return line;
    }

    function titled(title) {  /* "Title: " or "Title? " (no colon after a question) */
      return title + (/[?!:.]$/.test(title) ? " " : ": ");
    }

    function html(className, markup) {
      var div = el("div", className);
      div.innerHTML = markup;  /* sanitized Markdown from the server */
      return div;
    }

    /* ---- practice ------------------------------------------------------------------------- */
    function showPractice(focus) {
      return call("GET", path + "/practice").then(function (data) {
        var box = panel(t("Rate the trainer's examples"));
        box.appendChild(el("p", null, data.tolerance === 1
          ? t("Rate each example as you would a peer's work. Within one level of the trainer's rating counts as agreeing; where you differ, you see the trainer's reason.")
          : t("Rate each example as you would a peer's work. Within {n} levels of the trainer's rating counts as agreeing; where you differ, you see the trainer's reason.", { n: data.tolerance })));
        data.examples.forEach(function (example, index) {
          var article = el("article", "assignment-example");
          article.appendChild(el("h5", null, t("Example {n}", { n: index + 1 })));
          article.appendChild(html("assignment-work", example.text_html));
          if (example.comparison) article.appendChild(comparison(example));
          if (example.tries_left > 0) {
            var form = rubricForm(uid + "-ex" + index, { comments: false, values: example.ratings });
            article.appendChild(form);
            var line = statusLine(article), go = button(example.tries ? t("Compare again") : t("Compare with the trainer's rating"));
            article.appendChild(go);
            go.addEventListener("click", function () {
              go.disabled = true;
              call("POST", path + "/practice/" + encodeURIComponent(example.id), { ratings: form.read() })
                .then(function () { return refresh("practice"); },
                      function (error) { line.say(error.message, true); go.disabled = false; });
            });
          }
          box.appendChild(article);
        });
        if (focus) box.focusTitle();
      });
    }

    function comparison(example) {
      var list = el("ul", "assignment-comparison");
      var head = el("p", "assignment-verdict " + (example.agreed ? "is-agreed" : "is-apart"),
        example.agreed ? t("You agree with the trainer on this example.")
          : example.tries_left ? t("You are further from the trainer than the tolerance. Read the reasons and try once more.")
            : t("You are further from the trainer than the tolerance. The trainer's ratings are below."));
      var wrap = el("div", "assignment-compared");
      wrap.appendChild(head);
      example.comparison.forEach(function (item) {
        var c = rubric.criteria.filter(function (x) { return x.id === item.criterion; })[0];
        var li = el("li", null);
        li.appendChild(el("strong", null, titled(c ? c.title : item.criterion)));
        li.appendChild(document.createTextNode(item.same ? t("the same as the trainer's.")
          : item.within ? t("close to the trainer's.") : t("apart from the trainer's.")));
        if (item.reference) {
          li.appendChild(document.createTextNode(" " + t("The trainer's rating: {value}.", {
            value: item.reference.title || points(item.reference.points) })));
        }
        if (item.reason) li.appendChild(el("span", "assignment-reason", t("The trainer's reason: {reason}", { reason: item.reason })));
        list.appendChild(li);
      });
      wrap.appendChild(list);
      return wrap;
    }

    /* ---- peer review ---------------------------------------------------------------------- */
    function askForWork() {
      return call("POST", path + "/peer-reviews").then(function (answer) {
        if (!answer.review) {
          var box = panel(t("Review a peer's work"));
          box.appendChild(el("p", null, t("There is no work to review yet. Come back later; you can rate the trainer's examples meanwhile.")));
          box.focusTitle();
          return;
        }
        showReview(answer.review, true);
      }, function (error) { notice(error.message); });
    }

    function showReview(review, focus) {
      var box = panel(t("Review a peer's work"));
      box.appendChild(el("p", "assignment-anonymous", t("You do not see who wrote this, and they will not see who reviewed it. What you write may still tell them, in a small group.")));
      if (review.status === "open") {
        box.appendChild(el("p", "assignment-anonymous", t("It is kept for you until {time}; after that it may go to another reviewer.", {
          time: new Date(review.lease_ends).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" }) })));
      }
      box.appendChild(html("assignment-work", review.work.text_html));
      if (review.work.files.length) {
        var files = el("ul", "assignment-work-files");
        review.work.files.forEach(function (f) {
          var li = el("li"), a = el("a", null, f.name);
          a.href = ctx.absolute(f.url);
          a.setAttribute("download", "");
          li.appendChild(a);
          files.appendChild(li);
        });
        box.appendChild(files);
      }
      var form = rubricForm(uid + "-peer", { comments: true, values: review.ratings });
      box.appendChild(form);
      var whole = overall(uid + "-peer", t("One thing to keep, one thing to change (optional)"), review.comment);
      box.appendChild(whole);
      var line = statusLine(box), actions = el("div", "quiz-actions");
      var save = button(t("Save for later"), true), finish = button(t("Hand in the review"));
      actions.appendChild(finish);
      actions.appendChild(save);
      box.appendChild(actions);
      function send(method, url, after) {
        save.disabled = finish.disabled = true;
        return call(method, url, { ratings: form.read(), comment: whole.area.value }).then(after, function (error) {
          line.say(error.message, true);
        }).then(function () { save.disabled = finish.disabled = false; });
      }
      save.addEventListener("click", function () {
        send("PUT", "reviews/" + review.id, function () { line.say(t("Saved. You can finish it later.")); });
      });
      finish.addEventListener("click", function () {
        var silent = form.silent();
        if (silent.length) {  /* the server says so too; here the fields are marked and the first one focused */
          line.say(t("A comment is needed on each criterion rated below the standard: {names}", {
            names: silent.map(function (s) { return s.title; }).join(", ") }), true);
          silent[0].comment.focus();
          return;
        }
        send("POST", "reviews/" + review.id + "/finish", function () {
          return refresh(null).then(function () { notice(t("Thank you: your review is handed in.")); });
        });
      });
      if (focus) box.focusTitle();
    }

    /* ---- self-review ---------------------------------------------------------------------- */
    function showSelf(mine) {
      var box = panel(t("Review your own work"));
      box.appendChild(el("p", null, t("Optional: rate your own work against the rubric. It does not count toward your grade.")));
      var form = rubricForm(uid + "-self", { comments: true, values: mine.ratings });
      box.appendChild(form);
      var whole = overall(uid + "-self", t("What would you change?"), mine.comment);
      box.appendChild(whole);
      var line = statusLine(box), save = button(t("Save my self-review"));
      box.appendChild(save);
      save.addEventListener("click", function () {
        call("PUT", path + "/self-review", { ratings: form.read(), comment: whole.area.value }).then(function () {
          return refresh(null).then(function () { notice(t("Your self-review is saved.")); });
        }, function (error) { line.say(error.message, true); });
      });
      box.focusTitle();
    }

    /* ---- feedback after release ----------------------------------------------------------- */
    function showFeedback(focus) {
      return call("GET", path + "/feedback").then(function (data) {
        var box = panel(t("Your feedback"));
        data.attempts.slice().reverse().forEach(function (attempt) {
          var r = attempt.result, article = el("article", "assignment-feedback");
          if (data.attempts.length > 1) article.appendChild(el("h5", null, t("Attempt {n}", { n: attempt.attempt })));
          article.appendChild(el("p", "assignment-score " + (r.passed ? "is-passed" : "is-not-passed"),
            t("{score} of {max} points: {verdict}", { score: r.score, max: r.max_score,
              verdict: r.passed ? t("passed") : t("not passed yet") })));
          if (r.method) article.appendChild(el("p", "assignment-method", t("How it was computed: {method}", { method: r.method })));
          if (r.feedback) article.appendChild(el("p", "assignment-trainer-comment", r.feedback));
          var list = el("ul", "assignment-criteria");
          r.criteria.forEach(function (c) {
            var li = el("li");
            li.appendChild(el("strong", null, titled(c.title)));
            var parts = [];
            if (c.level) parts.push(c.level);
            if (c.score !== undefined && c.score !== null) parts.push(t("{score} of {max}", { score: c.score, max: c.max }));
            li.appendChild(document.createTextNode(parts.join(", ")));
            if (c.source) li.appendChild(el("span", "assignment-source", " (" + c.source + ")"));
            if (c.comment) li.appendChild(el("span", "assignment-reason", c.comment));
            list.appendChild(li);
          });
          article.appendChild(list);
          attempt.peer_reviews.forEach(function (review) { article.appendChild(peerFeedback(review)); });
          box.appendChild(article);
        });
        if (focus) box.focusTitle();
      });
    }

    function peerFeedback(review) {
      var box = el("section", "assignment-peer-feedback");
      box.appendChild(el("h5", null, t("Reviewer {n}", { n: review.number }) +
        (review.set_aside ? " · " + t("set aside by the trainer") : "")));
      var list = el("ul", "assignment-criteria");
      review.ratings.forEach(function (r) {
        var li = el("li");
        li.appendChild(el("strong", null, titled(r.title)));
        var parts = [];
        if (r.level) parts.push(r.level);
        if (r.points !== undefined) parts.push(t("{score} of {max}", { score: r.points, max: r.max }));
        li.appendChild(document.createTextNode(parts.join(", ")));
        if (r.comment) li.appendChild(el("span", "assignment-reason", r.comment));
        list.appendChild(li);
      });
      box.appendChild(list);
      if (review.comment) box.appendChild(el("p", "assignment-trainer-comment", review.comment));
      var field = el("fieldset", "assignment-helpful");
      field.appendChild(el("legend", null, t("How helpful was this review?")));
      var said = statusLine(field);
      [1, 2, 3, 4, 5].forEach(function (n) {
        var label = el("label", "rubric-choice rubric-choice-inline"), input = el("input");
        input.type = "radio";
        input.name = uid + "-helpful-" + review.id;
        input.value = String(n);
        input.checked = review.helpful === n;
        label.appendChild(input);
        label.appendChild(el("span", null, n === 1 ? t("1, not helpful") : n === 5 ? t("5, very helpful") : String(n)));
        input.addEventListener("change", function () {
          call("PUT", "reviews/" + review.id + "/helpful", { helpful: n }).then(function () {
            said.say(t("Thank you: noted."));
          }, function (error) { said.say(error.message, true); });
        });
        field.insertBefore(label, said);
      });
      box.appendChild(field);
      return box;
    }

    /* ---- the steps ------------------------------------------------------------------------ */
    var LABELS = {
      submit: function () { return t("Submit your work"); },
      practice: function (s) { return t("Rate the trainer's examples ({done} of {all})", { done: s.rated, all: s.examples }); },
      peer: function (s) { return t("Review peers' work ({done} of {all})", { done: s.given, all: s.needed }); },
      self: function () { return t("Review your own work (optional)"); },
      trainer: function () { return t("A trainer grades your work"); },
      feedback: function () { return t("Read your feedback"); }
    };

    function notice(text) {
      var line = flow.querySelector(".assignment-notice");
      line.textContent = text;
    }

    function render(state) {
      flow.textContent = "";
      flow.appendChild(el("h3", null, t("Your steps")));
      var list = el("ol", "assignment-progress");
      state.steps.forEach(function (s) {
        var li = el("li", s.done ? "is-done" : s.step === state.next ? "is-next" : "is-waiting");
        li.appendChild(el("span", "assignment-step-name", LABELS[s.step](s)));
        var mark = s.done ? t("done") : s.step === "trainer" ? t("waiting for the trainer") : s.step === state.next ? t("next") :
          s.step === "peer" && s.waiting_for_work ? t("no work to review yet") :
            "";
        if (mark) li.appendChild(el("span", "assignment-step-state", mark));
        if (s.step === state.next) li.setAttribute("aria-current", "step");
        list.appendChild(li);
      });
      flow.appendChild(list);
      var line = el("p", "assignment-notice");
      line.setAttribute("role", "status");
      flow.appendChild(line);
      if (state.stranded) line.textContent = t("Not enough peers have reviewed your work yet, so a trainer reviews it instead.");
      else if (state.trainer_requested) line.textContent = t("You asked for a trainer's review.");
      var actions = el("div", "assignment-actions");
      function action(label, handler, secondary) {
        var b = button(label, secondary);
        b.addEventListener("click", handler);
        actions.appendChild(b);
      }
      var steps = {};
      state.steps.forEach(function (s) { steps[s.step] = s; });
      if (steps.practice) action(t("Rate the examples"), function () { showPractice(true); }, state.next !== "practice");
      if (steps.peer && (steps.practice ? steps.practice.done : true)) {
        action(steps.peer.open_review ? t("Go on with your review") : t("Review a peer's work"), function () {
          if (steps.peer.open_review) call("GET", "reviews/" + steps.peer.open_review).then(function (r) { showReview(r, true); });
          else askForWork();
        }, state.next !== "peer");
      }
      if (steps.self && !state.released) {
        action(steps.self.done ? t("Revise your self-review") : t("Review your own work"), function () { showSelf(steps.self); }, true);
      }
      if (state.released) action(t("Read your feedback"), function () { showFeedback(true); });
      if (!state.trainer_requested && (state.released || !state.trainer_step)) {  /* else a trainer grades it anyway */
        action(t("Ask for a trainer's review"), function () {
          call("POST", path + "/trainer-request").then(function () {
            return refresh(null).then(function () { notice(t("You asked for a trainer's review.")); });
          }, function (error) { notice(error.message); });
        }, true);
      }
      if (state.resubmit.open) {
        action(t("Revise and submit again"), function () {
          call("POST", path + "/attempts").then(ctx.reopened, function (error) { notice(error.message); });
        });
      }
      flow.appendChild(actions);
      return state;
    }

    function refresh(show) {
      return call("GET", path + "/steps").then(function (state) {
        rubric = state.rubric;
        last = render(state);
        if (show === "practice") return showPractice(false);
        if (state.released) return showFeedback(false);
        var peer = state.steps.filter(function (s) { return s.step === "peer"; })[0];
        if (state.next === "practice") return showPractice(false);
        if (peer && peer.open_review) return call("GET", "reviews/" + peer.open_review).then(function (r) { showReview(r, false); });
      });
    }

    flow.hidden = false;
    return refresh(null).then(function () { return last; });
  };
})();
