// The workspace's maps, drawn with Leaflet when it is there; the pages work without them.
// - /map: the orders of /map/data as keyboard-reachable markers (shape and name, not only
//   colour, tell the deadline state), clustered when dense, and the hotspots.
// - the order page: the order's own pin on a small map.
// Every text comes from the server as data and is put in with textContent, never as HTML.
(function () {
  "use strict";

  var STATES = ["ok", "warning", "breached"];
  var SVG = "http://www.w3.org/2000/svg";

  // A map with its controls in Danish, like the rest of the workspace.
  function newMap(L, holder, options) {
    options.zoomControl = false;
    var map = L.map(holder, options);
    L.control.zoom({ zoomInTitle: "Zoom ind", zoomOutTitle: "Zoom ud" }).addTo(map);
    return map;
  }

  function tiles(L, map, holder, failed) {
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var layer = L.tileLayer(holder.getAttribute("data-tiles"), {
      attribution: holder.getAttribute("data-attribution") || "",
      maxZoom: 19
    });
    var errors = 0;
    layer.on("tileerror", function () {
      errors += 1;
      if (failed && errors >= 2) failed.hidden = false;
    });
    layer.on("tileload", function () {
      errors = 0;
      if (failed) failed.hidden = true;
    });
    layer.addTo(map);
  }

  // The state's shape, the same as the legend's: circle, triangle, square with "!", diamond.
  function symbol(state, size) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "state-symbol state-" + state);
    var shape;
    if (state === "breached") {
      shape = document.createElementNS(SVG, "rect");
      shape.setAttribute("x", "2"); shape.setAttribute("y", "2");
      shape.setAttribute("width", "16"); shape.setAttribute("height", "16");
      shape.setAttribute("rx", "2");
      svg.appendChild(shape);
      var mark = document.createElementNS(SVG, "path");
      mark.setAttribute("d", "M10 5v6M10 13.5v1.5");
      mark.setAttribute("class", "mark");
      svg.appendChild(mark);
      return svg;
    }
    if (state === "warning") {
      shape = document.createElementNS(SVG, "path");
      shape.setAttribute("d", "M10 2 19 18H1Z");
    } else if (state === "hotspot") {
      shape = document.createElementNS(SVG, "path");
      shape.setAttribute("d", "M10 1 19 10 10 19 1 10Z");
    } else {
      shape = document.createElementNS(SVG, "circle");
      shape.setAttribute("cx", "10"); shape.setAttribute("cy", "10"); shape.setAttribute("r", "8");
    }
    svg.appendChild(shape);
    return svg;
  }

  function hidden(text) {
    var span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function orderName(o) {
    return [o.reference, o.category_label, o.subject, o.state_label].filter(Boolean).join(", ");
  }

  function popupFor(o) {
    var box = element("div", "", "map-popup");
    box.appendChild(element("p", o.reference + " · " + o.category_label, "map-popup-title"));
    if (o.subject) box.appendChild(element("p", o.subject));
    var state = element("p", "", "popup-state state-text-" + o.state);
    state.appendChild(symbol(o.state, 14));
    state.appendChild(document.createTextNode(" " + o.state_label +
      (o.deadline_kind ? " · " + o.deadline_kind + " " + o.deadline_date + " (" + o.deadline_text + ")" : "")));
    box.appendChild(state);
    box.appendChild(element("p", o.status_label + " · " + o.municipality));
    var link = element("a", "Åbn " + o.reference);
    link.href = o.url;
    var p = element("p");
    p.appendChild(link);
    box.appendChild(p);
    return box;
  }

  // Keyboard: Enter on a marker opens its popup, focus moves to the link in it, and Escape
  // (or closing) brings focus back to the marker.
  function focusPopups(map) {
    var opener = null;
    map.on("popupopen", function (e) {
      var source = e.popup._source;
      opener = source && source.getElement ? source.getElement() : null;
      var node = e.popup.getElement();
      if (!node) return;
      var close = node.querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", "Luk");
        close.setAttribute("title", "Luk");
      }
      var link = node.querySelector(".map-popup a");
      if (link) link.focus();
      node.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { map.closePopup(); }
      });
    });
    map.on("popupclose", function () {
      if (opener && document.body.contains(opener)) opener.focus();
      opener = null;
    });
  }

  function worst(states) {
    for (var i = STATES.length - 1; i >= 0; i -= 1) {
      if (states.indexOf(STATES[i]) >= 0) return STATES[i];
    }
    return "ok";
  }

  function districtMap(L, section) {
    var holder = document.getElementById("district-map");
    var status = document.getElementById("map-status");
    section.hidden = false;
    var map = newMap(L, holder, { scrollWheelZoom: false }).setView([56.0, 10.6], 7);
    tiles(L, map, section, document.getElementById("map-failed"));
    focusPopups(map);
    var clustered = typeof L.markerClusterGroup === "function";
    var group = clustered
      ? L.markerClusterGroup({
          showCoverageOnHover: false,
          maxClusterRadius: 40,
          iconCreateFunction: function (cluster) {
            var states = cluster.getAllChildMarkers().map(function (m) { return m.options.state; });
            var top = worst(states);
            var count = cluster.getChildCount();
            var breached = states.filter(function (s) { return s === "breached"; }).length;
            var box = element("span", "", "map-cluster-inner");
            box.appendChild(element("span", String(count), "map-cluster-count"));
            box.appendChild(hidden(" bestillinger" + (breached ? ", heraf " + breached +
              " med overskredet frist" : "") + ". Enter zoomer ind"));
            return L.divIcon({ html: box, className: "map-cluster map-cluster-" + top, iconSize: [40, 40] });
          }
        })
      : L.featureGroup();
    // (Leaflet.markercluster itself zooms in on Enter on a cluster and then focuses the map.)
    map.on("zoomend", function () { holder.setAttribute("data-zoom", String(map.getZoom())); });
    var hotspots = L.featureGroup();

    function draw(data) {
      var bounds = [];
      data.orders.forEach(function (o) {
        if (o.lat === null || o.lon === null) return;
        var box = element("span", "", "map-pin-inner");
        box.appendChild(symbol(o.state, 26));
        box.appendChild(hidden(orderName(o)));
        var marker = L.marker([o.lat, o.lon], {
          icon: L.divIcon({ html: box, className: "map-pin map-pin-" + o.state, iconSize: [28, 28] }),
          keyboard: true,
          riseOnHover: true,
          state: o.state
        });
        marker.bindPopup(popupFor(o));
        group.addLayer(marker);
        bounds.push([o.lat, o.lon]);
      });
      data.hotspots.forEach(function (h) {
        if (h.lat === null || h.lon === null) return;
        // a dashed ring of fixed size, visible around the pins or cluster at every zoom
        L.circleMarker([h.lat, h.lon], {
          radius: 30, className: "map-hotspot-area", interactive: false
        }).addTo(hotspots);
        var box = element("span", "", "map-hotspot-inner");
        box.appendChild(symbol("hotspot", 30));
        box.appendChild(element("span", String(h.count), "map-hotspot-count"));
        box.appendChild(hidden(" " + h.label));
        var marker = L.marker([h.lat, h.lon], {
          // drawn above its point, like a flag, so the pins and clusters there stay visible
          icon: L.divIcon({ html: box, className: "map-hotspot", iconSize: [32, 32], iconAnchor: [16, 44] }),
          keyboard: true,
          zIndexOffset: 1000
        });
        var popup = element("div", "", "map-popup");
        popup.appendChild(element("p", h.label));
        var link = element("a", "Se brændpunkterne som tabel");
        link.href = "#hotspots";
        var p = element("p");
        p.appendChild(link);
        popup.appendChild(p);
        marker.bindPopup(popup);
        marker.addTo(hotspots);
        bounds.push([h.lat, h.lon]);
      });
      hotspots.addTo(map);
      group.addTo(map);
      if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
      holder.setAttribute("data-zoom", String(map.getZoom()));
      var placed = data.orders.filter(function (o) { return o.lat !== null; }).length;
      if (status) {
        status.textContent = "Kortet viser " + placed + (placed === 1 ? " bestilling" : " bestillinger") +
          (data.hotspots.length ? " og " + data.hotspots.length + (data.hotspots.length === 1 ? " brændpunkt" : " brændpunkter") : "") + ".";
      }
      holder.setAttribute("data-drawn", String(placed));
    }

    if (!window.fetch) return;
    window.fetch(section.getAttribute("data-source"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(draw)
      .catch(function () {
        if (status) status.textContent = "Kortets bestillinger kunne ikke hentes. Brug listen nedenfor.";
      });
  }

  function orderMap(L, holder) {
    var lat = parseFloat(holder.getAttribute("data-lat"));
    var lon = parseFloat(holder.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) return;
    var section = document.getElementById("order-map-group");
    if (section) section.hidden = false;
    var map = newMap(L, holder, { scrollWheelZoom: false, keyboard: false }).setView([lat, lon], 15);
    tiles(L, map, holder, document.getElementById("order-map-failed"));
    var box = element("span", "", "map-pin-inner");
    box.appendChild(symbol("order", 26));
    L.marker([lat, lon], {
      icon: L.divIcon({ html: box, className: "map-pin map-pin-order", iconSize: [28, 28] }),
      interactive: false,
      keyboard: false
    }).addTo(map);
    holder.setAttribute("data-drawn", "1");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var L = window.L;
    if (!L) return;
    var section = document.getElementById("map-section");
    if (section) districtMap(L, section);
    var small = document.getElementById("order-map");
    if (small) orderMap(L, small);
  });
})();
