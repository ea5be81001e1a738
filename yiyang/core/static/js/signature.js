/* Signature pads: draw on the canvas of every form[data-signature]; the PNG goes into input[name=image]. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-signature]").forEach(function (form) {
    var canvas = form.querySelector("canvas"), ctx = canvas.getContext("2d"), drawn = false, down = false;
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    function pos(e) { var r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; }
    canvas.addEventListener("pointerdown", function (e) { down = true; var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); canvas.setPointerCapture(e.pointerId); e.preventDefault(); });
    canvas.addEventListener("pointermove", function (e) { if (!down) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true; e.preventDefault(); });
    canvas.addEventListener("pointerup", function () { down = false; });
    canvas.style.touchAction = "none"; canvas.style.maxWidth = "100%"; canvas.style.border = "1px solid #8a8f98";
    form.querySelector("[data-clear]").addEventListener("click", function () { ctx.fillRect(0, 0, canvas.width, canvas.height); drawn = false; });
    form.addEventListener("submit", function () { form.querySelector("input[name=image]").value = drawn ? canvas.toDataURL("image/png") : ""; });
  });
})();
