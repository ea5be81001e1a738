/* ECharts pages. Data comes from a json_script block; every text that reaches a tooltip is escaped
   (ECharts renders tooltips as HTML), so a name can never become markup. */
(function () {
  "use strict";
  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }
  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function candidateMap(el) {
    var data = readJson(el.getAttribute("data-source"));
    if (!data) return;
    var chart = echarts.init(el);
    var staff = data.staff || [];
    chart.setOption({
      animation: false,
      tooltip: {formatter: function (p) { return escapeHtml(p.seriesName) + "<br>" + escapeHtml(p.name); }},
      legend: {bottom: 0},
      xAxis: {type: "value", scale: true, name: "经度"}, yAxis: {type: "value", scale: true, name: "纬度"},
      series: [
        {name: "老人住址", type: "scatter", symbol: "pin", symbolSize: 36, data: data.elder ? [data.elder] : []},
        {name: "可派人员", type: "scatter", symbolSize: 14, data: staff.filter(function (p) { return p.eligible; })},
        {name: "不可派人员", type: "scatter", symbolSize: 10, data: staff.filter(function (p) { return !p.eligible; })}
      ]
    });
  }

  function levelHistory(el) {
    var data = readJson(el.getAttribute("data-source")) || [];
    echarts.init(el).setOption({
      tooltip: {trigger: "axis", formatter: function (params) {
        return params.map(function (p) {
          return escapeHtml(p.axisValueLabel) + " " + escapeHtml(p.seriesName) + "：" + escapeHtml(p.value);
        }).join("<br>");
      }},
      xAxis: {type: "category", data: data.map(function (d) { return d.date; })},
      yAxis: [{type: "value", name: "等级", min: 0, max: 5, interval: 1}, {type: "value", name: "总分"}],
      series: [{name: "最终等级", type: "line", data: data.map(function (d) { return d.level; })},
               {name: "总分", type: "bar", yAxisIndex: 1, data: data.map(function (d) { return d.total; })}]
    });
  }

  /* A caregiver's day: the base and the stops in appointment order, joined by a line. */
  function routeMap(el) {
    var data = readJson(el.getAttribute("data-source"));
    if (!data) return;
    var stops = data.stops || [];
    var path = (data.start ? [data.start] : []).concat(stops);
    echarts.init(el).setOption({
      animation: false,
      tooltip: {formatter: function (p) { return escapeHtml(p.name); }},
      grid: {left: 8, right: 8, top: 16, bottom: 8, containLabel: false},
      xAxis: {type: "value", scale: true, show: false}, yAxis: {type: "value", scale: true, show: false},
      series: [
        {name: "路线", type: "line", data: path.map(function (p) { return p.value; }), symbol: "none",
         lineStyle: {width: 3, color: "#1f4e8c"}},
        {name: "出发地", type: "scatter", symbol: "diamond", symbolSize: 16, data: data.start ? [data.start] : []},
        {name: "上门", type: "scatter", symbolSize: 20, data: stops,
         label: {show: true, position: "right", fontSize: 16, color: "#1a2230",
                 formatter: function (p) { return escapeHtml(String(p.name).split(" ")[0]); }}}
      ]
    });
  }

  var kinds = {"candidate-map": candidateMap, "level-history": levelHistory, "route-map": routeMap};
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var draw = kinds[el.getAttribute("data-chart")];
      if (draw) draw(el);
    });
  });
  window.yiyangEscapeHtml = escapeHtml;
})();
