// The review queue: "Select all on this page" ticks (or clears) the box of every value on the page
// for the bulk approval. Without scripts the box stays hidden and each value is ticked by hand.
(function () {
  "use strict";

  function picks() {
    return Array.prototype.slice.call(document.querySelectorAll("input.pick[form='bulk-approve']"));
  }

  function follow(all) {
    // the select-all box shows whether every, some or no value is ticked
    var boxes = picks();
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    all.disabled = boxes.length === 0;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    if (!all) {
      return;
    }
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      picks().forEach(function (box) { box.checked = all.checked; });
      follow(all);
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("input.pick")) {
        follow(all);
      }
    });
    // a card approved or rejected in place (HTMX) has no box any more
    document.body.addEventListener("htmx:afterSwap", function () { follow(all); });
    follow(all);
  });
})();
