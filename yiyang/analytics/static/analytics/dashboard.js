/* The KPI dashboard's charts: monthly trends (one line per KPI; backfilled months marked) and the
   distribution of the targeted KPIs by status. Data comes from a json_script block; texts are set as
   chart text (never as HTML). */
(function () {
  "use strict";
  var COLORS = {"进度正常": "#2e7d32", "有风险": "#f9a825", "滞后": "#c62828", "无数据": "#9e9e9e"};
  function draw(el) {
    var node = document.getElementById(el.getAttribute("data-source"));
    if (!node || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    var dark = el.getAttribute("data-dark") === "1";
    var text = dark ? "#f2f6fa" : "#222";
    var chart = echarts.init(el);
    if (el.getAttribute("data-kind") === "status") {
      var items = Object.keys(data.status).map(function (k) {
        return {name: k, value: data.status[k], itemStyle: {color: COLORS[k]}};
      });
      chart.setOption({animation: false, tooltip: {trigger: "item"}, legend: {bottom: 0, textStyle: {color: text}},
        series: [{type: "pie", radius: ["35%", "65%"], data: items, label: {color: text, formatter: "{b}：{c}"}}]});
    } else {
      var backfilled = data.backfilled || [];
      var labels = data.periods.map(function (p) { return backfilled.indexOf(p) >= 0 ? p + "（补算）" : p; });
      chart.setOption({
        animation: false, tooltip: {trigger: "axis"},
        legend: {type: "scroll", bottom: 0, textStyle: {color: text}},
        grid: {left: 60, right: 60, top: 30, bottom: 60},
        xAxis: {type: "category", data: labels, axisLabel: {color: text}},
        yAxis: [{type: "value", name: "人", axisLabel: {color: text}}, {type: "value", name: "% / 比率", axisLabel: {color: text}}],
        series: data.series.map(function (s) {
          var people = s.code === "elders_60" || s.code === "elders_80";
          return {name: s.name, type: "line", yAxisIndex: people ? 0 : 1, data: s.data, connectNulls: false};
        })
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-source]"), draw);
  });
})();
