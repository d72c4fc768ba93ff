/* The phone's position for a home visit or a check-in (only if the user allows it): fills the page's hidden
   input[data-geo=lat] and input[data-geo=lng], and puts the outcome in its [data-geo-status] element, in
   that element's own words (data-geo-found, data-geo-failed). Pages work without this file. */
(function () {
  "use strict";
  var lat = document.querySelector("input[data-geo=lat]");
  var lng = document.querySelector("input[data-geo=lng]");
  var status = document.querySelector("[data-geo-status]");
  function say(key) {
    var text = status && status.getAttribute(key);
    if (text) { status.textContent = text; }
  }
  if (lat && lng && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      say("data-geo-found");
    }, function () {
      say("data-geo-failed");
    }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
})();
