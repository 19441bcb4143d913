// The phone layout (progressive enhancement: without this script everything stays visible).
// 1. The header's menu button: on a narrow screen the search, language switch, account links and the
//    navigation fold behind it; the button says whether they are shown (aria-expanded).
// 2. Filter panels (<details class="filter-panel" open>): open on a wide screen, folded on a phone
//    unless a filter is in use.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40rem)");

  function setupMenu() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-toggle");
    if (!button) { return; }
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }
    header.classList.add("has-menu");
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  }

  function inUse(panel) {
    return Array.prototype.some.call(panel.querySelectorAll("input, select"), function (field) {
      if (field.type === "radio") { return false; }  // one of them is always chosen
      if (field.type === "checkbox") { return field.checked; }
      if (field.tagName === "SELECT") { return field.selectedIndex > 0 && field.options[0].value === ""; }
      return field.type === "search" && field.value !== "";
    });
  }

  function fitFilters() {
    document.querySelectorAll("details.filter-panel").forEach(function (panel) {
      panel.open = !narrow.matches || inUse(panel);
    });
  }

  setupMenu();
  fitFilters();
  if (narrow.addEventListener) { narrow.addEventListener("change", fitFilters); }
})();
