// The entry form: a row's source and note fields are sent only when the row's "Source and note"
// is open (an open row is one that has them, or that the user opened). A closed row keeps its
// source and note as they are, and a form of a few hundred rows stays small.
(function () {
  "use strict";

  function follow(details) {
    details.querySelectorAll("input, textarea").forEach(function (field) {
      field.disabled = !details.open || details.hasAttribute("data-readonly");
    });
  }

  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target.matches && target.matches("details.annotations")) {
      follow(target);
    }
  }, true);
})();
