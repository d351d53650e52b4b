// Progressive enhancement only: pages work without it. No article content is ever
// evaluated; this script reads data-* attributes that the server wrote from a fixed set.
(function () {
  "use strict";
  function linkAligned() {
    document.querySelectorAll(".seg[data-link]").forEach(function (el) {
      var key = el.getAttribute("data-link");
      var peers = document.querySelectorAll('.seg[data-link="' + CSS.escape(key) + '"]');
      el.addEventListener("mouseenter", function () { peers.forEach(function (p) { p.classList.add("hot"); }); });
      el.addEventListener("mouseleave", function () { peers.forEach(function (p) { p.classList.remove("hot"); }); });
      el.addEventListener("click", function () {
        peers.forEach(function (p) { if (p !== el) { p.scrollIntoView({ block: "center", behavior: "smooth" }); } });
      });
    });
  }
  function sizeBars() {
    document.querySelectorAll(".bar[data-w]").forEach(function (el) {
      var w = parseInt(el.getAttribute("data-w"), 10);
      if (!isNaN(w)) { el.style.width = Math.max(2, Math.min(100, w)) * 3 + "px"; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { linkAligned(); sizeBars(); });
})();
