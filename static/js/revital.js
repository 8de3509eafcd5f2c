/* Revital, every page: small behaviours on top of htmx. No inline handlers (the CSP forbids them). */
(function () {
  "use strict";
  /* After htmx swaps a form back with errors, move the focus to its error summary, as a full
   * page load would bring the reader to it. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target && (event.detail.target.id === "form-errors"
      ? event.detail.target : document.getElementById("form-errors"));
    if (summary && document.contains(summary)) {
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    }
  });
})();
