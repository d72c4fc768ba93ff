/* 民政业务平台: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // A page showing a background run in progress ([data-refresh="ms"]) reloads itself until the run ends.
  var busy = document.querySelector("[data-refresh]");
  if (busy) {
    window.setTimeout(function () { window.location.reload(); }, Number(busy.getAttribute("data-refresh")) || 3000);
  }

  // District → street → community: choosing a level clears the levels below it and reloads the options.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-cascade]")) return;
    var form = select.form;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-cascade]"));
    var after = false;
    selects.forEach(function (s) {
      if (after) { s.value = ""; }
      if (s === select) { after = true; }
    });
    form.submit();
  });

  // "显示完整号码": ask for the value as JSON and put it in place (the server logs the view either way).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-reveal]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      var holder = form.closest(".reveal");
      var value = holder && holder.querySelector("[data-reveal-value]");
      if (value) {
        value.textContent = data.value;
        value.classList.add("revealed");
      }
      form.remove();
    }).catch(function () {
      form.submit(); // fall back to the full-page answer
    });
  });

  // Print buttons.
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) { event.preventDefault(); window.print(); }
  });

  // Select a freshly issued token on focus so it can be copied at once.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-all]")) { event.target.select(); }
  });
})();
