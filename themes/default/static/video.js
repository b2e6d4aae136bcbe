/* brokerlearn video case studies: playback speed, seeking from the transcript and chapters,
   a transcript highlight that follows playback, watch tracking, text descriptions read out in a
   live region, and decisions: the video pauses, asks (a practice question checked by quiz.js),
   and may play a branch clip before it goes on where it paused. The video, its caption
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
    var cues = Array.prototype.slice.call(figure.querySelectorAll(".video-transcript > .transcript-cues > li[data-start]"));
    var coverage = new Coverage(parseFloat(figure.getAttribute("data-duration")) || 0);
    var from = null;
    var reported = 0;
    controls.hidden = false;

    speed.addEventListener("change", function () { video.playbackRate = parseFloat(speed.value); });

    figure.querySelectorAll("[data-seek]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (decisions.branchPlaying()) decisions.leaveBranch(false);
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
    var decisions = setUpDecisions(figure, video, speed, highlight);
    describe(figure, [video].concat(decisions.clips));
    window.brokerlearnVideos = window.brokerlearnVideos || {};
    window.brokerlearnVideos[figure.getAttribute("data-video")] = coverage;
  }

  /* Text descriptions (track kind="descriptions"): when asked for, the current one is shown under
     the video and read by screen readers (a polite live region), for each clip of the figure. */
  function describe(figure, videos) {
    var toggle = figure.querySelector(".video-describe");
    var out = figure.querySelector(".video-description");
    if (!toggle || !out) return;
    function show(track) {
      var active = track.activeCues && track.activeCues.length ? track.activeCues[0].text : "";
      if (toggle.checked && active && out.textContent !== active) out.textContent = active;
    }
    videos.forEach(function (v) {
      Array.prototype.forEach.call(v.textTracks, function (track) {
        if (track.kind !== "descriptions") return;
        track.mode = "hidden";  /* cues are loaded and followed, never drawn over the picture */
        track.addEventListener("cuechange", function () { show(track); });
      });
    });
    toggle.addEventListener("change", function () {
      out.hidden = !toggle.checked;
      out.textContent = "";
      videos.forEach(function (v) {
        Array.prototype.forEach.call(v.textTracks, function (track) { if (track.kind === "descriptions") show(track); });
      });
    });
  }

  /* Decisions: crossing a decision's time while playing pauses there and shows its question
     (focus moves to it); answering shows the feedback (quiz.js) and the ways on. Seeking past
     a decision skips it, and one answered does not stop the video again. A branch plays in its
     own player, with its own captions, in place of the video; at its end (or "Back") the video
     goes on from where it paused. */
  function setUpDecisions(figure, video, speed, highlight) {
    var panels = Array.prototype.slice.call(figure.querySelectorAll(".video-decision"));
    var status = figure.querySelector(".video-status");
    var answered = {};
    var last = null;
    var open = null;
    var branch = null;  /* {panel, player} while a branch plays */
    var clips = panels.map(function (p) { return p.querySelector(".decision-branch video"); }).filter(Boolean);

    function say(text) { if (status) status.textContent = text; }
    function at(panel) { return parseFloat(panel.getAttribute("data-at")); }
    function play(player) {
      var playing = player.play();
      if (playing && playing.catch) playing.catch(function () { /* refused: the learner presses play */ });
    }

    function show(panel) {
      open = panel;
      video.pause();
      if (Math.abs(video.currentTime - at(panel)) > 0.05) video.currentTime = at(panel);
      panel.hidden = false;
      figure.classList.add("is-deciding");
      panel.focus();
      say(t("The video paused for a decision."));
    }

    function close(resume) {
      if (!open) return;
      open.hidden = true;
      open = null;
      figure.classList.remove("is-deciding");
      video.focus();
      if (resume) play(video);
    }

    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (!video.paused && !video.seeking && last !== null && now - last < 1.5) {
        var crossed = panels.filter(function (p) { return !answered[p.id] && last < at(p) && at(p) <= now + 0.04; });
        if (crossed.length && !open) show(crossed[0]);
      }
      last = now;
    });
    video.addEventListener("seeking", function () { last = null; });
    video.addEventListener("seeked", function () { last = video.currentTime; });
    video.addEventListener("play", function () { if (open && !branch) close(false); });

    function startBranch(panel) {
      var box = panel.querySelector(".decision-branch");
      var player = box.querySelector("video");
      branch = { panel: panel, player: player };
      video.hidden = true;
      box.hidden = false;
      player.playbackRate = parseFloat(speed.value) || 1;
      player.currentTime = 0;
      player.focus();
      say(t("Playing: {title}", { title: panel.querySelector(".decision-branch-title").textContent }));
      play(player);
    }

    function leaveBranch(resume) {
      if (!branch) return;
      var panel = branch.panel;
      branch.player.pause();
      panel.querySelector(".decision-branch").hidden = true;
      branch = null;
      video.hidden = false;
      highlightBranch(null);
      say(t("Back to the case study at {clock}.", { clock: clock(at(panel)) }));
      close(resume);
    }

    function highlightBranch(player) {
      figure.querySelectorAll(".transcript-branch li").forEach(function (li) { li.removeAttribute("aria-current"); });
      if (!player) { highlight(); return; }
      cuesOf(player).forEach(function (li) { li.removeAttribute("aria-current"); });
      var current = null;
      cuesOf(player).forEach(function (li) { if (parseFloat(li.getAttribute("data-start")) <= player.currentTime + 0.05) current = li; });
      figure.querySelectorAll(".video-transcript > .transcript-cues > li[data-start]").forEach(function (li) { li.removeAttribute("aria-current"); });
      if (current) current.setAttribute("aria-current", "true");
    }

    function cuesOf(player) {
      var panel = player.closest(".video-decision");
      return Array.prototype.slice.call(figure.querySelectorAll(".transcript-branch[data-branch=\"" + panel.getAttribute("data-decision") + "\"] li[data-start]"));
    }

    panels.forEach(function (panel) {
      var next = panel.querySelector(".decision-next");
      var quizId = panel.getAttribute("data-quiz");
      window.addEventListener("brokerlearn:quiz-checked", function (e) {
        if (e.detail.quiz !== quizId || !e.detail.possible) return;
        answered[panel.id] = true;
        next.hidden = false;
        window.dispatchEvent(new CustomEvent("brokerlearn:decision-answered", { detail: {
          course: figure.getAttribute("data-course"), video: figure.getAttribute("data-video"),
          decision: panel.getAttribute("data-decision"), share: Math.round(1000 * e.detail.earned / e.detail.possible) / 1000 } }));
      });
      panel.querySelector(".decision-continue").addEventListener("click", function () { close(true); });
      var watch = panel.querySelector(".decision-branch-play");
      if (watch) {
        var player = panel.querySelector(".decision-branch video");
        watch.addEventListener("click", function () { startBranch(panel); });
        panel.querySelector(".decision-return").addEventListener("click", function () { leaveBranch(true); });
        player.addEventListener("ended", function () { leaveBranch(true); });
        player.addEventListener("timeupdate", function () { highlightBranch(player); });
      }
    });

    figure.querySelectorAll("[data-open-decision]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var panel = panels.filter(function (p) { return p.getAttribute("data-decision") === link.getAttribute("data-open-decision"); })[0];
        if (branch) leaveBranch(false);
        if (open) close(false);
        if (panel) show(panel);
      });
    });
    figure.querySelectorAll("[data-seek-branch]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var panel = link.closest(".transcript-decision");
        var target = panels.filter(function (p) { return p.getAttribute("data-decision") === panel.getAttribute("data-decision"); })[0];
        if (!target) return;
        if (branch && branch.panel !== target) leaveBranch(false);
        if (open !== target) { if (open) close(false); show(target); }
        if (!branch) startBranch(target);
        branch.player.currentTime = parseFloat(link.getAttribute("data-seek-branch"));
      });
    });
    speed.addEventListener("change", function () { clips.forEach(function (c) { c.playbackRate = parseFloat(speed.value); }); });

    return { clips: clips, branchPlaying: function () { return !!branch; }, leaveBranch: leaveBranch };
  }

  function clock(seconds) {
    seconds = Math.floor(seconds);
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  document.querySelectorAll("figure.embed-video").forEach(setUp);
})();
