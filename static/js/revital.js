/* Revital, every page: small behaviours on top of htmx. No inline handlers (the CSP forbids them). */
(function () {
  "use strict";
  /* After htmx swaps a form back with errors, move the focus to its error summary, as a full
   * page load would bring the reader to it. */
  /* A page that comes back with errors (no htmx: the form was posted the plain way) brings the
   * focus to its error summary too, so that keyboard and screen-reader users start from it. */
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target && (event.detail.target.id === "form-errors"
      ? event.detail.target : document.getElementById("form-errors"));
    if (summary && document.contains(summary)) {
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    }
  });
})();
