// The role editor: shows at once which elements the chosen rights package never gives (the server says the
// same after "Sjekk valget" without JavaScript). Reads only what the page carries in data-attributes.
(function () {
  "use strict";
  var form = document.querySelector("form.form-panel");
  if (!form) { return; }
  function update() {
    var chosen = form.querySelector('input[name="rettighetspakke"]:checked');
    var pakke = chosen ? chosen.value : "";
    form.querySelectorAll("[data-aldri-for]").forEach(function (marker) {
      marker.hidden = !pakke || marker.getAttribute("data-aldri-for").split(" ").indexOf(pakke) < 0;
    });
    form.querySelectorAll("[data-aldri-pakke]").forEach(function (summary) {
      var never = form.querySelectorAll('[data-aldri-for~="' + summary.getAttribute("data-aldri-pakke") + '"]');
      summary.hidden = summary.getAttribute("data-aldri-pakke") !== pakke || never.length === 0;
    });
  }
  form.querySelectorAll('input[name="rettighetspakke"]').forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
