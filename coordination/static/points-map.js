// Digi info točke, the request form: a click on the map fills in latitude and longitude (the inverse
// of the projection in points/geo.py, whose numbers the SVG carries), and choosing a municipality
// moves an untouched position to its seat. Without JavaScript the coordinates are typed.
(function () {
  "use strict";
  function setup(form) {
    var svg = form.querySelector("svg.point-map-pick");
    var lat = form.querySelector("#lat");
    var lon = form.querySelector("#lon");
    if (!svg || !lat || !lon) { return; }
    var d = svg.dataset;
    var west = parseFloat(d.west), north = parseFloat(d.north), scale = parseFloat(d.scale);
    var shrink = parseFloat(d.shrink), pad = parseFloat(d.pad);
    var marker = svg.querySelector(".map-pick-marker");
    var seats = JSON.parse(form.dataset.seats || "{}");
    var touched = false;

    function number(text) { return parseFloat(String(text).replace(",", ".")); }
    function show() {
      var la = number(lat.value), lo = number(lon.value);
      if (isNaN(la) || isNaN(lo) || !marker) { return; }
      marker.setAttribute("cx", (pad + (lo - west) * shrink * scale).toFixed(1));
      marker.setAttribute("cy", (pad + (north - la) * scale).toFixed(1));
    }
    svg.addEventListener("click", function (event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX; point.y = event.clientY;
      var local = point.matrixTransform(svg.getScreenCTM().inverse());
      lon.value = (west + (local.x - pad) / (shrink * scale)).toFixed(6);
      lat.value = (north - (local.y - pad) / scale).toFixed(6);
      touched = true;
      show();
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("input", function () { touched = true; show(); });
    });
    var municipality = form.querySelector("#municipality_id");
    if (municipality) {
      municipality.addEventListener("change", function () {
        var seat = seats[municipality.value];
        if (seat && !touched) { lat.value = seat[0]; lon.value = seat[1]; show(); }
      });
    }
    show();
  }
  document.querySelectorAll("form.request-form").forEach(setup);
})();
