/* Elderly care: the phone's position for a worker's check-in/check-out (only when allowed), and a
   self-refreshing page while an allowance run is running. Pages work without this file. */
(function () {
  "use strict";
  var lat = document.querySelector("input[data-geo=lat]");
  var lng = document.querySelector("input[data-geo=lng]");
  var status = document.querySelector("[data-geo-status]");
  if (lat && lng && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      if (status) { status.textContent = "已获取当前位置"; }
    }, function () {
      if (status) { status.textContent = "未能获取位置：请填写所在地点"; }
    }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  var busy = document.querySelector("[data-refresh]");
  if (busy) {
    window.setTimeout(function () { window.location.reload(); }, Number(busy.getAttribute("data-refresh")) || 3000);
  }
})();
