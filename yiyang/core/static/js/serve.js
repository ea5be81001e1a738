/* Caregiver check-in: ask the phone for its position, then submit the check-in form. */
(function () {
  "use strict";
  var btn = document.getElementById("ci-button");
  if (!btn) return;
  var status = document.getElementById("ci-status");
  btn.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此浏览器不支持定位，无法签到。"; return; }
    btn.disabled = true; status.textContent = "正在获取定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("ci-lat").value = pos.coords.latitude;
      document.getElementById("ci-lng").value = pos.coords.longitude;
      document.getElementById("checkin-form").submit();
    }, function (err) {
      btn.disabled = false; status.textContent = "未能获取定位（" + err.message + "），请允许使用位置信息后重试。";
    }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
  });
})();
