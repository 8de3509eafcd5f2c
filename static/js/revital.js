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
  /* A radio group marked data-typeahead (the paper entry of a workshop): a letter chooses the
   * next option whose label starts with it, accents and case aside, as a <select> does; the arrow
   * keys keep working as usual. One key for a theme instead of up to five arrows. */
  function initial(text) {
    return text.trim().normalize("NFD").replace(/[\u0300-\u036f]/g, "").charAt(0).toLowerCase();
  }
  document.addEventListener("keydown", function (event) {
    var radio = event.target;
    if (event.ctrlKey || event.altKey || event.metaKey || event.key.length !== 1 || !/\S/.test(event.key) ||
        !radio.matches || !radio.matches('input[type="radio"]')) {
      return;
    }
    var group = radio.closest("[data-typeahead]");
    if (!group) { return; }
    var radios = Array.prototype.slice.call(group.querySelectorAll('input[type="radio"]'));
    var start = radios.indexOf(radio) + (radio.checked ? 1 : 0);
    var letter = initial(event.key);
    for (var i = 0; i < radios.length; i++) {
      var candidate = radios[(start + i) % radios.length];
      var label = candidate.labels && candidate.labels[0];
      if (label && initial(label.textContent) === letter) {
        event.preventDefault();
        candidate.checked = true;
        candidate.focus();
        candidate.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
    }
  });
})();

// A points ballot (revital.prioritisation): the points left, said as they are typed. Without
// JavaScript the page says the budget, and the server refuses a ballot over it.
(function () {
  function update(form) {
    var budget = parseInt(form.getAttribute("data-budget"), 10);
    var used = 0;
    form.querySelectorAll('input[type="number"]').forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (value > 0) { used += value; }
    });
    var left = budget - used;
    var out = document.getElementById("budget-left");
    if (!out) { return; }
    out.textContent = left >= 0
      ? "Il vous reste " + left + " point" + (left > 1 ? "s" : "") + " sur " + budget + "."
      : "Vous dépassez de " + (-left) + " point" + (-left > 1 ? "s" : "") + " : " + budget + " au plus.";
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-budget]");
    if (form && document.getElementById("budget-left")) { update(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-budget]");
    if (form && document.getElementById("budget-left")) { update(form); }
  });
})();
