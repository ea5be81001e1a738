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

/* Caregiver check-out: record the phone's position too (compared with the home); without a position
   (refused or unavailable) the check-out still goes through, without one. */
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  if (!form) return;
  var status = document.getElementById("co-status");
  var button = document.getElementById("co-button");
  var located = false;
  form.addEventListener("submit", function (evt) {
    if (located || !navigator.geolocation || !form.checkValidity()) return;
    evt.preventDefault();
    button.disabled = true; status.textContent = "正在获取定位…";
    function send() { located = true; form.submit(); }
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("co-lat").value = pos.coords.latitude;
      document.getElementById("co-lng").value = pos.coords.longitude;
      send();
    }, send, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
})();
