/* Copy buttons (progressive): a button with data-copy="<input id>" is hidden in the HTML and
   shown here, so without JavaScript the link stays selectable in its read-only field. */
(function () {
  "use strict";
  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var status = button.closest("[role=status]");
    var live = status ? status.parentNode.querySelector(".copy-status") : null;
    function done(text) { if (live) { live.textContent = text; } }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { done("Link copied."); },
        function () { done("Select the link and copy it."); }
      );
    } else {
      try {
        done(document.execCommand("copy") ? "Link copied." : "Select the link and copy it.");
      } catch (e) {
        done("Select the link and copy it.");
      }
    }
  }
  function wire() {
    var buttons = document.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
