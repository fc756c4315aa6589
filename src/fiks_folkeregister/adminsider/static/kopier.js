// The copy button beside a secret shown once: hidden until this script runs, so the page works without it
// (the secret is shown as text and can be selected). No inline script: the CSP allows only files of 'self'.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-status"));
  if (!source || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent.trim()).then(
      function () { status.textContent = button.getAttribute("data-done"); },
      function () { status.textContent = button.getAttribute("data-failed"); }
    );
  });
});
