/* Service assistance: the phone's position for a home visit or a check-in (only if the worker allows it),
   and a self-refreshing page while a match run is queued or running. Pages work without this file. */
(function () {
  "use strict";
  var lat = document.querySelector("input[data-geo=lat]");
  var lng = document.querySelector("input[data-geo=lng]");
  var status = document.querySelector("[data-geo-status]");
  if (lat && lng && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      if (status) { status.textContent = "已获取当前位置（用于签到与就近匹配）"; }
    }, function () {
      if (status) { status.textContent = "未获取位置：按社区位置估算距离"; }
    }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  var busy = document.querySelector("[data-refresh]");
  if (busy) {
    window.setTimeout(function () { window.location.reload(); }, Number(busy.getAttribute("data-refresh")) || 3000);
  }
})();
