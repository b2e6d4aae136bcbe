/* brokerlearn course search: the sections of the course's index, indexed with MiniSearch
   (vendor/). The index is scripts, so that a site opened from disk can load it: search-index.js
   (window.brokerlearnSearchIndex) names one part a module, each adding itself to `loaded`.
   Each result is one section of a page and links to it; words may be misspelt (fuzzy) or
   unfinished (prefix); headings count more; accents and case do not matter. Results are built
   with textContent only. CC BY 4.0. */
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
  var LIMIT = 30;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* The site works from a server (folders lead to their index.html) and from disk (they do not). */
  function pageUrl(url) {
    return location.protocol === "file:" ? url : url.replace(/(^|\/)index\.html$/, "$1");
  }

  function documents(parts) {
    var docs = [];
    parts.forEach(function (part) {
      part.sections.forEach(function (s) {
        var page = part.pages[s[0]];
        docs.push({ id: docs.length, url: page[0], page: page[1], module: page[2], anchor: s[1],
                    heading: s[2] || page[1], kind: s[3], text: s[4] });
      });
    });
    return docs;
  }

  /* Each part as a script of its own: a page opened from disk may not fetch. */
  function loadParts(index, done) {
    var waiting = index.parts.length, failed = false;
    if (!waiting) { done(true); return; }
    var base = document.querySelector('script[src$="search-index.js"]').src.replace(/search-index\.js$/, "");
    index.parts.forEach(function (url) {
      var script = document.createElement("script");
      script.src = base + url;
      script.onload = script.onerror = function (event) {
        if (event.type === "error") failed = true;
        if (--waiting === 0) done(!failed);
      };
      document.head.appendChild(script);
    });
  }

  function engine(docs) {
    var mini = new window.MiniSearch({
      fields: ["heading", "page", "text"],
      processTerm: function (term) { return fold(term); },
      searchOptions: {
        boost: { heading: 4, page: 2 },
        prefix: true,
        fuzzy: function (term) { return term.length > 3 ? 0.2 : 0; },
        boostDocument: function (id, term, stored) { return docs[id].kind === "glossary" ? 1.1 : 1; }
      }
    });
    mini.addAll(docs);
    return mini;
  }

  /* The words of the document that matched, longest first, so a highlight takes the whole word. */
  function matchedTerms(result) {
    return result.terms.slice().sort(function (a, b) { return b.length - a.length; });
  }

  function firstAt(folded, terms, from) {
    var best = -1, length = 0;
    terms.forEach(function (term) {
      var re = new RegExp("(^|[^\\p{L}\\p{N}])(" + term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "gu");
      re.lastIndex = from;
      var m = re.exec(folded);
      if (m) {
        var at = m.index + m[1].length;
        if (best < 0 || at < best) { best = at; length = term.length; }
      }
    });
    return { at: best, length: length };
  }

  function snippet(text, terms) {
    var at = firstAt(fold(text), terms, 0).at;
    var start = Math.max(0, at - 80);
    if (start > 0) {  /* begin at a whole word */
      var space = text.indexOf(" ", start);
      if (space >= 0 && space < at) start = space + 1;
    }
    return (start > 0 ? "… " : "") + text.slice(start, start + 240) + (start + 240 < text.length ? " …" : "");
  }

  /* Folding keeps the length of most text; where it does not, the text is shown unmarked. */
  function highlight(container, text, terms) {
    var folded = fold(text);
    if (folded.length !== text.length) { container.textContent = text; return; }
    var pos = 0;
    while (pos < text.length) {
      var next = firstAt(folded, terms, pos);
      if (next.at < 0) { container.appendChild(document.createTextNode(text.slice(pos))); break; }
      container.appendChild(document.createTextNode(text.slice(pos, next.at)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next.at, next.at + next.length);
      container.appendChild(mark);
      pos = next.at + next.length;
    }
  }

  function show(docs, results, query) {
    status.textContent = results.length ? (results.length === 1 ? t("{n} result for “{query}”", { n: results.length, query: query }) : t("{n} results for “{query}”", { n: results.length, query: query }))
                                        : t("Nothing found for “{query}”. Try fewer or other words.", { query: query });
    results.slice(0, LIMIT).forEach(function (r) {
      var doc = docs[r.id], terms = matchedTerms(r);
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "../" + pageUrl(doc.url) + (doc.anchor ? "#" + encodeURIComponent(doc.anchor) : "");
      highlight(a, doc.heading, terms);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " · " + (doc.heading === doc.page ? doc.module : doc.page + " · " + doc.module);
      var p = document.createElement("p");
      highlight(p, snippet(doc.text, terms), terms);
      li.appendChild(a); li.appendChild(meta); li.appendChild(p);
      list.appendChild(li);
    });
  }

  function search(mini, docs, query) {
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    /* Every word in one section first; else sections with some of the words. */
    var results = mini.search(query, { combineWith: "AND" });
    if (!results.length) results = mini.search(query, { combineWith: "OR" });
    show(docs, results, query);
  }

  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  var index = window.brokerlearnSearchIndex;
  function unavailable() { status.textContent = t("The search index could not be loaded."); }
  if (!index || !window.MiniSearch) { unavailable(); return; }
  loadParts(index, function (ok) {
    if (!ok) { unavailable(); return; }
    var order = index.parts;  /* the course's order, whichever part came first */
    var docs = documents(index.loaded.slice().sort(function (a, b) { return order.indexOf(a.part) - order.indexOf(b.part); }));
    search(engine(docs), docs, query);
  });
})();
