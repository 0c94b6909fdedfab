(function () {
  "use strict";
  var d = document;
  function all(sel, root) { return Array.prototype.slice.call((root || d).querySelectorAll(sel)); }
  function byId(id) { return d.getElementById(id); }
  function activating(ev) { return ev.type === "click" || ev.key === "Enter" || ev.key === " "; }

  // Event cards: mark the evidence sentences and the trigger, scroll to the first one.
  function activate(card, scroll) {
    all(".s.evidence").forEach(function (s) { s.classList.remove("evidence"); });
    all(".card.active").forEach(function (c) { c.classList.remove("active"); c.setAttribute("aria-pressed", "false"); });
    all(".trig.active").forEach(function (t) { t.classList.remove("active"); });
    card.classList.add("active");
    card.setAttribute("aria-pressed", "true");
    var first = null;
    (card.getAttribute("data-sents") || "").split(" ").forEach(function (i) {
      var s = i && byId("s-" + i);
      if (s) { s.classList.add("evidence"); first = first || s; }
    });
    all(".trig").forEach(function (t) {
      if ((" " + t.getAttribute("data-ev") + " ").indexOf(" " + card.id + " ") >= 0) {
        t.classList.add("active");
        first = first || t;
      }
    });
    if (scroll) {
      // Bring the card into view inside the events column, then the evidence in the page.
      var list = card.closest(".events");
      if (list && list.scrollHeight > list.clientHeight) {
        list.scrollTop += card.getBoundingClientRect().top - list.getBoundingClientRect().top - list.clientHeight / 3;
      }
      if (first) { first.scrollIntoView({ block: "center", behavior: "smooth" }); }
    }
  }
  all(".card").forEach(function (card) {
    function go(ev) {
      if (!activating(ev)) { return; }
      if (ev.target.closest && ev.target.closest("a")) { return; }
      ev.preventDefault();
      activate(card, true);
    }
    card.addEventListener("click", go);
    card.addEventListener("keydown", go);
  });
  // A trigger in the text brings its card into view.
  all(".trig").forEach(function (t) {
    t.addEventListener("click", function (ev) {
      if (ev.target.closest("mark.m")) { return; }
      var card = byId((t.getAttribute("data-ev") || "").split(" ")[0]);
      if (card) { activate(card, false); card.scrollIntoView({ block: "nearest" }); card.focus({ preventScroll: true }); }
    });
  });
  // Links to cards (timeline, money table) activate them.
  all("a[data-card]").forEach(function (a) {
    a.addEventListener("click", function () {
      var card = byId(a.getAttribute("data-card"));
      if (card && a.getAttribute("href").charAt(0) === "#") { activate(card, true); }
    });
  });

  // Entity box: canonical name, id, attributes and all mentions of a highlight's entity.
  var pop = byId("gz-pop"), pinned = null, shown = null;
  function hide() {
    if (!pop) { return; }
    pop.hidden = true;
    all("mark.m.same").forEach(function (m) { m.classList.remove("same"); });
    pinned = null; shown = null;
  }
  function show(m, pin) {
    var id = m.getAttribute("data-e");
    var ent = id && d.querySelector('.ent[data-e="' + id.replace(/["\\]/g, "") + '"]');
    if (!pop || !ent) { return; }
    if (shown !== m) {
      all("mark.m.same").forEach(function (x) { x.classList.remove("same"); });
      pop.textContent = "";
      var close = d.createElement("button");
      close.type = "button"; close.className = "close"; close.setAttribute("aria-label", "Close"); close.textContent = "×";
      close.addEventListener("click", function () { var back = shown; hide(); if (back) { back.focus(); } });
      pop.appendChild(close);
      var copy = ent.cloneNode(true);
      copy.removeAttribute("id");
      var h = copy.querySelector("h3");
      if (h) { h.id = "gz-pop-title"; }
      pop.appendChild(copy);
      all("mark.m").forEach(function (x) { if (x.getAttribute("data-e") === id) { x.classList.add("same"); } });
      pop.hidden = false;
      var r = m.getBoundingClientRect();
      var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + d.documentElement.clientWidth - pop.offsetWidth - 8));
      pop.style.left = left + "px";
      pop.style.top = (r.bottom + window.scrollY + 6) + "px";
      shown = m;
    }
    if (pin) { pinned = m; }
  }
  all("mark.m").forEach(function (m) {
    m.addEventListener("mouseenter", function () { if (!pinned) { show(m, false); } });
    m.addEventListener("mouseleave", function () { if (!pinned && shown === m) { hide(); } });
    function open(ev) {
      if (!activating(ev)) { return; }
      ev.preventDefault();
      ev.stopPropagation();
      if (pinned === m) { hide(); } else { hide(); show(m, true); }
    }
    m.addEventListener("click", open);
    m.addEventListener("keydown", open);
  });
  d.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && shown) { var back = shown; hide(); back.focus(); }
  });
  d.addEventListener("click", function (ev) {
    if (pinned && pop && !pop.contains(ev.target) && !ev.target.closest("mark.m")) { hide(); }
  });
  // Links from an entity to one of its mentions focus that highlight.
  d.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-m]");
    if (!a) { return; }
    var m = byId(a.getAttribute("data-m"));
    if (m) { ev.preventDefault(); hide(); m.scrollIntoView({ block: "center" }); m.focus({ preventScroll: true }); show(m, true); }
  });

  // Legend: hide or show one type of highlight.
  all(".legend button[data-type]").forEach(function (b) {
    b.addEventListener("click", function () {
      var on = b.getAttribute("aria-pressed") !== "false";
      b.setAttribute("aria-pressed", on ? "false" : "true");
      d.body.classList.toggle("hide-" + b.getAttribute("data-type"), on);
    });
  });

  // #ev-N in the address (links from the index) opens that card.
  function fromHash() {
    var card = location.hash.length > 1 && byId(location.hash.slice(1));
    if (card && card.classList.contains("card")) { activate(card, true); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  // Test hook for the headless-browser test: ?gz-test=click:ID,key:ID:Enter runs those
  // actions through the real handlers once the page is ready.
  var test = /[?&]gz-test=([^&#]*)/.exec(location.search);
  if (test) {
    decodeURIComponent(test[1]).split(",").forEach(function (step) {
      var p = step.split(":"), el = p[1] ? byId(p[1]) : null;
      if (!el) { return; }
      if (p[0] === "click") { el.click(); }
      if (p[0] === "key") { el.dispatchEvent(new KeyboardEvent("keydown", { key: p[2] || "Enter", bubbles: true })); }
    });
    // "top" (anywhere in the list) leaves the page at its top, for screenshots.
    if (/(^|,)top(,|$)/.test(decodeURIComponent(test[1]))) { window.scrollTo({ top: 0, behavior: "instant" }); }
    d.documentElement.setAttribute("data-gz-test", "done");
  }
  d.documentElement.setAttribute("data-gz-ready", "1");
})();
