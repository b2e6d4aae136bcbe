/* brokerlearn course search: ranks the entries of search-index.json in the browser.
   Every word must occur (the last one may be the start of a word); titles count more;
   accents and case do not matter. Results are built with textContent only. CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };
  var list = document.querySelector(".search-results");
  if (!list) return;
  var input = document.getElementById("search-q");
  var status = document.querySelector(".search-status");
  var index = null;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) { return fold(text).match(/[\p{L}\p{N}]+/gu) || []; }

  function prepare(data) {
    return data.entries.map(function (e) {
      return { entry: e, title: words(e.title), text: words(e.text), folded: fold(e.text) };
    });
  }

  function count(tokens, term, prefix) {
    var n = 0;
    for (var i = 0; i < tokens.length; i++) {
      if (tokens[i] === term || (prefix && tokens[i].indexOf(term) === 0)) n++;
    }
    return n;
  }

  function snippet(item, terms) {
    var at = -1;
    terms.forEach(function (t) { var i = item.folded.indexOf(t); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var text = item.entry.text;
    var start = Math.max(0, at - 80);
    if (start > 0) {  /* begin at a whole word */
      var space = text.indexOf(" ", start);
      if (space >= 0 && space < at) start = space + 1;
    }
    var piece = (start > 0 ? "… " : "") + text.slice(start, start + 240) + (start + 240 < text.length ? " …" : "");
    return piece;
  }

  function highlight(container, text, terms) {
    var folded = fold(text);
    var pos = 0;
    while (pos < text.length) {
      var next = -1, length = 0;
      terms.forEach(function (t) {
        var i = folded.indexOf(t, pos);
        if (i >= 0 && (next < 0 || i < next)) { next = i; length = t.length; }
      });
      if (next < 0) { container.appendChild(document.createTextNode(text.slice(pos))); break; }
      container.appendChild(document.createTextNode(text.slice(pos, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + length);
      container.appendChild(mark);
      pos = next + length;
    }
  }

  function search(query) {
    var terms = words(query);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var results = [];
    index.forEach(function (item) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var prefix = i === terms.length - 1;
        var inTitle = count(item.title, terms[i], prefix), inText = count(item.text, terms[i], prefix);
        if (!inTitle && !inText) return;
        score += 5 * inTitle + Math.log(1 + inText);
      }
      if (item.entry.kind === "glossary") score += 0.5;
      results.push({ item: item, score: score });
    });
    results.sort(function (a, b) { return b.score - a.score; });
    status.textContent = results.length ? (results.length === 1 ? t("{n} result for “{query}”", { n: results.length, query: query }) : t("{n} results for “{query}”", { n: results.length, query: query }))
                                        : t("Nothing found for “{query}”. Try fewer or other words.", { query: query });
    results.slice(0, 30).forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "../" + r.item.entry.url;
      a.textContent = r.item.entry.title;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " · " + r.item.entry.section;
      var p = document.createElement("p");
      highlight(p, snippet(r.item, terms), terms);
      li.appendChild(a); li.appendChild(meta); li.appendChild(p);
      list.appendChild(li);
    });
  }

  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  fetch(list.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (data) {
    index = prepare(data);
    search(query);
  }).catch(function () { status.textContent = t("The search index could not be loaded."); });
})();
