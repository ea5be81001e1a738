/* 养老地图: the county outlines from the vendored offline GeoJSON (registered with ECharts, no tiles, no
   CDN), one bubble per street or community at its centre (示意: no boundary data exists for them),
   elder density per grid cell, facilities by type, providers' service areas, open alarms and orders per
   region, and the communities with elders out of reach. Points arrive in GCJ-02, the outlines' datum.
   Every text reaching a tooltip is escaped (ECharts tooltips are HTML). */
(function () {
  "use strict";
  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }
  function percent(share) { return share == null ? "—" : (share * 100).toFixed(1) + "%"; }
  function shareColour(share) {
    if (share == null) return "#9e9e9e";
    if (share >= 0.8) return "#2e7d32";
    if (share >= 0.5) return "#f9a825";
    return "#c62828";
  }
  var TYPE_COLOURS = ["#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e", "#37474f", "#ad1457"];

  function build(data) {
    var series = [];
    var placed = data.children.filter(function (c) { return c.position; });
    var level = data.region.level;
    var childName = level === "county" ? "街道（乡镇）" : "社区（村）";
    if (level === "city" || level === "province") childName = "区县";
    if (level !== "city" && level !== "province") {
      series.push({
        name: childName + "（示意位置）", type: "scatter", coordinateSystem: "geo", z: 3,
        symbolSize: function (v) { return Math.max(10, Math.min(44, Math.sqrt(v[2] || 0) * 3)); },
        label: {show: true, position: "right", formatter: function (p) { return p.data.name + "（示意）"; }, fontSize: 11},
        data: placed.map(function (c) {
          return {name: c.name, value: c.position.concat([c.elders]), child: c,
                  itemStyle: {color: shareColour(c.share), opacity: 0.75}};
        })
      });
    }
    series.push({
      name: "老年人密度（约 500 米网格）", type: "scatter", coordinateSystem: "geo", z: 2, symbol: "rect",
      symbolSize: function (v) { return Math.max(4, Math.min(16, Math.sqrt(v[2]) * 1.5)); },
      itemStyle: {color: "#8d6e63", opacity: 0.45},
      data: data.density.map(function (d) { return {name: "网格", value: d}; })
    });
    var types = {};
    data.facilities.forEach(function (f) { (types[f.type] = types[f.type] || []).push(f); });
    Object.keys(types).sort().forEach(function (type, i) {
      series.push({
        name: type, type: "scatter", coordinateSystem: "geo", z: 5, symbol: "pin", symbolSize: 22,
        itemStyle: {color: TYPE_COLOURS[i % TYPE_COLOURS.length]},
        data: types[type].map(function (f) { return {name: f.name, value: f.value, facility: f}; })
      });
    });
    series.push({
      name: "未覆盖的社区（村）", type: "scatter", coordinateSystem: "geo", z: 4, symbol: "triangle",
      symbolSize: 12, itemStyle: {color: "#b71c1c"},
      data: data.uncovered.filter(function (u) { return u.position; }).map(function (u) {
        return {name: u.name, value: u.position, gap: u};
      })
    });
    series.push({
      name: "服务机构覆盖（服务范围）", type: "scatter", coordinateSystem: "geo", z: 3, symbol: "circle",
      symbolSize: function (v) { return 6 + 4 * v[2]; }, itemStyle: {color: "rgba(21,101,192,0.15)", borderColor: "#1565c0"},
      data: placed.filter(function (c) { return c.providers.length; }).map(function (c) {
        return {name: c.name, value: c.position.concat([c.providers.length]), child: c};
      })
    });
    if (data.layers.alarms) {
      series.push({
        name: "待处理设备告警", type: "scatter", coordinateSystem: "geo", z: 6, symbol: "diamond",
        symbolSize: function (v) { return 8 + 3 * Math.sqrt(v[2]); }, itemStyle: {color: "#d50000"},
        data: placed.filter(function (c) { return c.alarms; }).map(function (c) {
          return {name: c.name, value: c.position.concat([c.alarms]), child: c};
        })
      });
    }
    if (data.layers.orders) {
      series.push({
        name: "未完成工单", type: "scatter", coordinateSystem: "geo", z: 6, symbol: "roundRect",
        symbolSize: function (v) { return 8 + 3 * Math.sqrt(v[2]); }, itemStyle: {color: "#283593"},
        data: placed.filter(function (c) { return c.orders; }).map(function (c) {
          return {name: c.name, value: c.position.concat([c.orders]), child: c};
        })
      });
    }
    return series;
  }

  function tooltip(p) {
    var d = p.data || {};
    if (p.componentType === "geo") {
      var county = (window.__planningCounties || {})[p.name];
      if (!county) return escapeHtml(p.name);
      return escapeHtml(county.name) + "<br>老年人 " + county.elders + "，覆盖 " + percent(county.share) +
        "<br>点击查看下级";
    }
    if (d.facility) return escapeHtml(d.facility.name) + "<br>" + escapeHtml(d.facility.type) +
      (d.facility.beds ? "<br>床位 " + d.facility.beds : "");
    if (d.gap) return escapeHtml(d.gap.name) + "（" + escapeHtml(d.gap.town) + "）<br>未覆盖老年人 " +
      d.gap.uncovered + " / " + d.gap.elders;
    if (d.child) {
      var c = d.child;
      return escapeHtml(c.name) + "（示意位置）<br>老年人 " + c.elders + "，步行距离内 " + c.covered +
        "（" + percent(c.share) + "）" + (c.alarms ? "<br>待处理告警 " + c.alarms : "") +
        (c.orders ? "<br>未完成工单 " + c.orders : "") +
        (c.providers.length ? "<br>服务机构：" + c.providers.map(escapeHtml).join("、") : "");
    }
    if (p.seriesName && p.seriesName.indexOf("密度") >= 0) return "约 500 米网格内老年人 " + p.value[2];
    return escapeHtml(p.name);
  }

  function draw(el, geojson) {
    var data = JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
    var keep = {};
    data.outline.forEach(function (code) { keep[code] = true; });
    var features = geojson.features.filter(function (f) { return keep[f.properties.code]; });
    echarts.registerMap("planning", {type: "FeatureCollection", features: features});
    var counties = {};
    var byName = {};
    if (data.region.level === "city" || data.region.level === "province") {
      data.children.forEach(function (c) { byName[c.name] = c; });
    }
    features.forEach(function (f) { if (byName[f.properties.name]) counties[f.properties.name] = byName[f.properties.name]; });
    window.__planningCounties = counties;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: {trigger: "item", formatter: tooltip},
      legend: {type: "scroll", bottom: 0},
      geo: {
        map: "planning", roam: true, zoom: 1.05,
        label: {show: true, fontSize: 12, color: "#263238"},
        itemStyle: {areaColor: "#eef3f7", borderColor: "#607d8b"},
        emphasis: {itemStyle: {areaColor: "#d6e4ee"}},
        regions: features.map(function (f) {
          var c = counties[f.properties.name];
          return c ? {name: f.properties.name, itemStyle: {areaColor: shareColour(c.share), opacity: 0.35}} : {name: f.properties.name};
        })
      },
      series: build(data)
    });
    var target = data.urls.map;
    function go(code) { window.location.href = target.replace("CODE", code) + window.location.search; }
    chart.on("click", function (p) {
      if (p.componentType === "geo" && counties[p.name] && counties[p.name].drill) return go(counties[p.name].code);
      var c = p.data && p.data.child;
      if (c && c.drill && c.level !== "village") go(c.code);
    });
    el.setAttribute("data-ready", "1");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-planning-map]").forEach(function (el) {
      fetch(el.getAttribute("data-geojson"), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (geojson) { draw(el, geojson); });
    });
  });
})();
