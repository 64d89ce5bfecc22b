// Turns each .event-map into an interactive Leaflet map of the events in its data-map-url.
// The server-drawn SVG inside stays as the map until the data has loaded, and for readers
// without JavaScript. Text from the data is set as text, never as markup: popups and tooltips
// get elements built with textContent, and Leaflet is never handed a string of HTML.
(function () {
  "use strict";
  if (!window.L || !window.fetch) { return; }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // Leaflet shows attributions as HTML; ours are text.
  function escapeHtml(text) {
    var box = document.createElement("div");
    box.textContent = text;
    return box.innerHTML;
  }

  function popup(point, container) {
    var box = element("div", "map-popup");
    var heading = element("p", "map-popup-place", point.place || "");
    heading.appendChild(document.createTextNode(" (" + point.count + " " + container.dataset.events + ")"));
    box.appendChild(heading);
    if (point.events.length) {
      var list = element("ul");
      point.events.slice(0, 10).forEach(function (event) {
        var item = element("li");
        item.appendChild(element("span", "map-popup-date", event.date + " "));
        var link = element("a", null, event.title);
        link.href = event.url;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "badge verification-" + event.verification, event.verification_label));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    if (point.url && (point.count > 10 || !point.events.length)) {
      var more = element("a", "map-popup-more", container.dataset.more);
      more.href = point.url;
      box.appendChild(more);
    }
    return box;
  }

  function radius(count) { return count > 1 ? 6 + 3 * Math.sqrt(count - 1) : 6; }

  function draw(container, outlines, data) {
    var live = element("div", "event-map-live");
    container.insertBefore(live, container.firstChild);
    var map = L.map(live, { scrollWheelZoom: false, zoomSnap: 0.25 });
    map.attributionControl.setPrefix("Leaflet");
    // A view first: Leaflet draws vector layers only once the map has one.
    var bounds = data.points.map(function (point) { return [point.lat, point.lon]; });
    if (bounds.length) {
      map.fitBounds(L.latLngBounds(bounds).pad(0.15), { maxZoom: 6 });
    } else {
      map.setView([30, 40], 2);
    }
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, {
        attribution: escapeHtml(container.dataset.tileAttribution || ""), maxZoom: 18
      }).addTo(map);
    } else {
      L.geoJSON(outlines, {
        interactive: false,
        attribution: "Natural Earth",
        style: { color: "#8a9199", weight: 0.8, fillColor: "#f1efe8", fillOpacity: 1 }
      }).addTo(map);
    }
    data.points.forEach(function (point) {
      var kind = data.kinds[point.kind] || { colour: "#868e96" };
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: radius(point.count), color: "#fff", weight: 1.5,
        fillColor: kind.colour, fillOpacity: 0.85, className: "map-marker kind-" + point.kind
      });
      marker.bindPopup(popup(point, container));
      // Leaflet inserts a string tooltip as HTML: give it an element holding text.
      marker.bindTooltip(element("span", null, (point.place ? point.place + ": " : "") + point.count),
        { direction: "top" });
      marker.addTo(map);
    });
    container.classList.add("is-live");
  }

  // A page shown through a signed preview link (/preview/<token>/…) fetches its map data
  // through the link too, drafts included; the page itself is the one staff preview.
  function dataUrl(container) {
    var url = container.dataset.mapUrl;
    var link = location.pathname.match(/^((?:\/[a-z]{2})?\/preview\/[^\/]+\/)/);
    if (!link) { return url; }
    var query = url.indexOf("?") >= 0 ? url.slice(url.indexOf("?")) : "";
    return link[1] + "map.json" + query;
  }

  function load(container) {
    var outlines = container.dataset.tileUrl
      ? Promise.resolve(null)
      : fetch(container.dataset.outlines).then(function (r) { return r.json(); });
    var data = fetch(dataUrl(container), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    Promise.all([outlines, data])
      .then(function (loaded) { draw(container, loaded[0], loaded[1]); })
      .catch(function (error) { console.error(error); /* the static map stays */ });
  }

  document.querySelectorAll(".event-map[data-map-url]").forEach(load);
}());
