// 探访覆盖: the visit rate of each child region as bars.
(function () {
  var el = document.getElementById("rate-chart");
  var src = document.getElementById("rate-data");
  if (!el || !src || !window.echarts) { return; }
  var data = JSON.parse(src.textContent);
  var chart = echarts.init(el);
  chart.setOption({grid: {left: 40, right: 10, top: 20, bottom: 40}, tooltip: {},
    xAxis: {type: "category", data: data.map(function (d) { return d.name; })},
    yAxis: {type: "value", max: 100, name: "探访率%"},
    series: [{type: "bar", data: data.map(function (d) { return d.rate; })}]});
  window.addEventListener("resize", function () { chart.resize(); });
})();
