// Copies the pinned front-end libraries into static/ and turns Natural Earth's country
// outlines (world-atlas, TopoJSON) into the GeoJSON base layer the maps draw offline.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { feature } from "topojson-client";

const modules = new URL("./node_modules/", import.meta.url);
const statics = new URL("../static/", import.meta.url);

function copy(from, to) {
  mkdirSync(new URL(".", new URL(to, statics)), { recursive: true });
  cpSync(new URL(from, modules), new URL(to, statics), { recursive: true });
}

// Without its source map comment: the map file is not served, and the hashed static
// storage refuses to collect a file that points to a missing one.
mkdirSync(new URL("vendor/leaflet/", statics), { recursive: true });
writeFileSync(
  new URL("vendor/leaflet/leaflet.js", statics),
  readFileSync(new URL("leaflet/dist/leaflet.js", modules), "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"),
);
copy("leaflet/dist/leaflet.css", "vendor/leaflet/leaflet.css");
copy("leaflet/dist/images/", "vendor/leaflet/images/");
copy("leaflet/LICENSE", "vendor/leaflet/LICENSE");
copy("world-atlas/LICENSE", "map/LICENSE-world-atlas");

// A twentieth of a degree (about 5 km) is as fine as a regional map needs; repeated points go.
const round = (value) => Math.round(value * 20) / 20;
// A ring that crosses the antimeridian (Chukotka, Fiji) continues past 180° instead of
// jumping back across the whole map.
function unwrapped(points) {
  const jumps = points.some((point, i) => i > 0 && Math.abs(point[0] - points[i - 1][0]) > 180);
  return jumps ? points.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : points;
}
function ring(points) {
  const kept = [];
  for (const [x, y] of unwrapped(points)) {
    const point = [round(x), round(y)];
    const last = kept[kept.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) kept.push(point);
  }
  return kept;
}
function geometry(shape) {
  if (shape.type === "Polygon") return { type: "Polygon", coordinates: shape.coordinates.map(ring) };
  return { type: "MultiPolygon", coordinates: shape.coordinates.map((polygon) => polygon.map(ring)) };
}

const atlas = JSON.parse(readFileSync(new URL("world-atlas/countries-50m.json", modules)));
const countries = feature(atlas, atlas.objects.countries).features
  .filter((country) => country.geometry && country.properties.name !== "Antarctica")
  .map((country) => ({
    type: "Feature",
    id: country.id,
    properties: { name: country.properties.name },
    geometry: geometry(country.geometry),
  }));
mkdirSync(new URL("map/", statics), { recursive: true });
writeFileSync(
  new URL("map/countries-50m.geojson", statics),
  JSON.stringify({ type: "FeatureCollection", features: countries }),
);
console.log(`static/map/countries-50m.geojson: ${countries.length} countries`);
