/* brokerlearn video case studies: playback speed, seeking from the transcript and chapters,
   a transcript highlight that follows playback, and watch tracking. The video, its caption
   track and the transcript work without this file. CC BY 4.0. */
(function () {
  "use strict";
  var t = window.brokerlearnT || function (text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  };

  /* Played stretches of the video, merged: seeking past a part does not count as watching it. */
  function Coverage(duration) {
    this.duration = duration;
    this.spans = [];
  }
  Coverage.prototype.add = function (start, end) {
    if (!(end > start)) return;
    var spans = this.spans.concat([[start, end]]).sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1] + 0.5) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    });
    this.spans = merged;
  };
  Coverage.prototype.share = function () {
    var total = this.spans.reduce(function (sum, s) { return sum + (s[1] - s[0]); }, 0);
    return this.duration > 0 ? Math.min(1, total / this.duration) : 0;
  };

  function setUp(figure) {
    var video = figure.querySelector("video");
    var controls = figure.querySelector(".video-controls");
    var speed = figure.querySelector(".video-speed");
    var watched = figure.querySelector(".video-watched");
    var cues = Array.prototype.slice.call(figure.querySelectorAll(".transcript-cues li"));
    var coverage = new Coverage(parseFloat(figure.getAttribute("data-duration")) || 0);
    var from = null;
    var reported = 0;
    controls.hidden = false;

    speed.addEventListener("change", function () { video.playbackRate = parseFloat(speed.value); });

    figure.querySelectorAll("[data-seek]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        video.currentTime = parseFloat(link.getAttribute("data-seek"));
        video.focus();
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () { /* autoplay refused: stay paused there */ });
      });
    });

    function highlight() {
      var now = video.currentTime;
      var current = null;
      cues.forEach(function (li) { if (parseFloat(li.getAttribute("data-start")) <= now + 0.05) current = li; });
      cues.forEach(function (li) {
        if (li === current) li.setAttribute("aria-current", "true");
        else li.removeAttribute("aria-current");
      });
    }

    function report(final) {
      var share = coverage.share();
      if (watched) watched.textContent = share >= 0.9 ? t("Watched") : t("{percent}% watched", { percent: Math.round(share * 100) });
      if (share - reported < 0.05 && !(final && share > reported)) return;
      reported = share;
      window.dispatchEvent(new CustomEvent("brokerlearn:video-progress", {
        detail: { course: figure.getAttribute("data-course"), video: figure.getAttribute("data-video"),
                  share: Math.round(share * 1000) / 1000, final: !!final }
      }));
    }

    video.addEventListener("playing", function () { from = video.currentTime; });
    video.addEventListener("timeupdate", function () {
      highlight();
      if (from === null || video.paused || video.seeking) return;
      var now = video.currentTime;
      if (now - from > 2) from = now;  /* a jump, not playback */
      coverage.add(from, now);
      from = now;
      report(false);
    });
    video.addEventListener("seeking", function () { from = null; });
    video.addEventListener("seeked", function () { highlight(); if (!video.paused) from = video.currentTime; });
    ["pause", "ended"].forEach(function (name) {
      video.addEventListener(name, function () { from = null; report(true); });
    });
    window.addEventListener("pagehide", function () { report(true); });
    window.brokerlearnVideos = window.brokerlearnVideos || {};
    window.brokerlearnVideos[figure.getAttribute("data-video")] = coverage;
  }

  document.querySelectorAll("figure.embed-video").forEach(setUp);
})();
