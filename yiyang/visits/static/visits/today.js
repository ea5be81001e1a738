// 今日探访: the route (homes in visiting order) on a small ECharts plot.
(function () {
  var el = document.getElementById("route-map");
  var data = document.getElementById("route-points");
  if (!el || !data || !window.echarts) { return; }
  var pts = JSON.parse(data.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    grid: {left: 30, right: 10, top: 10, bottom: 20},
    xAxis: {type: "value", scale: true, show: false}, yAxis: {type: "value", scale: true, show: false},
    series: [
      {type: "line", data: pts.map(function (p) { return p.value; }), symbol: "none", lineStyle: {type: "dashed"}},
      {type: "scatter", data: pts, symbolSize: 18, label: {show: true, formatter: function (p) { return p.data.order; }}}
    ],
    tooltip: {formatter: function (p) { return p.data.order + ". " + p.data.name; }}
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
