// Haven's small script. Pages work without it; it adds the quick exit by Esc.
(function () {
  "use strict";
  function quickExit() {
    // Replace the current history entry, so Back does not return here.
    document.body.innerHTML = "";
    window.location.replace("https://www.bbc.co.uk/weather");
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && document.querySelector("[data-quick-exit]")) {
      e.preventDefault();
      quickExit();
    }
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("[data-quick-exit]");
    if (a) {
      e.preventDefault();
      quickExit();
    }
  });
})();
