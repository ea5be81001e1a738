/* The county's device map: homes with devices as points (red with a live alarm, grey with a device
   offline, green otherwise), refreshed every 5 seconds. Every text reaching a tooltip is escaped
   (ECharts tooltips are HTML). */
(function () {
  "use strict";
  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }
  function series(data) {
    var homes = (data && data.homes) || [];
    return [
      {name: "有待处理告警", type: "scatter", symbolSize: 18, itemStyle: {color: "#c62828"},
       data: homes.filter(function (h) { return h.alarms.length; })},
      {name: "有设备离线", type: "scatter", symbolSize: 10, itemStyle: {color: "#757575"},
       data: homes.filter(function (h) { return !h.alarms.length && h.offline; })},
      {name: "设备正常", type: "scatter", symbolSize: 8, itemStyle: {color: "#2e7d32"},
       data: homes.filter(function (h) { return !h.alarms.length && !h.offline; })}
    ];
  }
  function draw(el) {
    var node = document.getElementById(el.getAttribute("data-source"));
    var data = node ? JSON.parse(node.textContent) : {homes: []};
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      legend: {bottom: 0},
      tooltip: {formatter: function (p) {
        var h = p.data || {};
        var text = escapeHtml(h.name) + "<br>设备 " + escapeHtml(h.devices);
        if (h.alarms && h.alarms.length) text += "<br>告警：" + h.alarms.map(escapeHtml).join("、");
        return text;
      }},
      xAxis: {type: "value", scale: true, name: "经度"}, yAxis: {type: "value", scale: true, name: "纬度"},
      series: series(data)
    });
    var url = el.getAttribute("data-refresh");
    if (url) {
      setInterval(function () {
        fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) { if (d) chart.setOption({series: series(d)}); });
      }, 5000);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-device-map]").forEach(draw);
  });
})();
