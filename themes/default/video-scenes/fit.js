/* Fit every text box of a scene into its place: shrink it step by step down to a limit; if it
   still does not fit, break long words and shrink again from full size. Returns what still
   overflows (the renderer refuses such a scene with a message naming the box). CC BY 4.0. */
(function () {
  "use strict";
  var MIN = 0.6, STEP = 0.04;
  function outside(r, box) {
    return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
  }
  function block(node) {  // the nearest box that is not inline: where the text must stay
    var el = node.parentElement;
    while (el && getComputedStyle(el).display.indexOf("inline") === 0) el = el.parentElement;
    return el;
  }
  function textOutside(el) {  // glyphs past the box or past their own cell, which scroll sizes miss
    var box = el.getBoundingClientRect();
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      if (!node.textContent.trim()) continue;
      var range = document.createRange();
      range.selectNodeContents(node);
      var rects = range.getClientRects(), cell = block(node).getBoundingClientRect();
      for (var i = 0; i < rects.length; i++) {
        if (outside(rects[i], box) || outside(rects[i], cell)) return true;
      }
    }
    return false;
  }
  function overflows(el) {
    return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1 || textOutside(el);
  }
  function shrink(el) {
    for (var fit = 1; fit >= MIN - 1e-9; fit -= STEP) {
      el.style.setProperty("--fit", fit.toFixed(2));
      if (!overflows(el)) return true;
    }
    return false;
  }
  window.fitScene = function () {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-fit]"));
    var report = [];
    boxes.forEach(function (el) {
      el.classList.remove("break-words");
      if (shrink(el)) return;
      el.classList.add("break-words");
      if (!shrink(el)) report.push({ box: el.className || el.tagName.toLowerCase(),
                                    text: (el.textContent || "").trim().slice(0, 80) });
    });
    return report;
  };
})();
