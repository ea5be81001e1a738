// 登记探访: an in-person visit records where it took place (the distance to the home is kept).
(function () {
  function locate() {
    var chosen = document.querySelector('input[name="method"]:checked');
    if (!chosen || chosen.value !== "in_person" || !navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("lat").value = p.coords.latitude;
      document.getElementById("lng").value = p.coords.longitude;
    });
  }
  document.querySelectorAll('input[name="method"]').forEach(function (m) { m.addEventListener("change", locate); });
})();
