"""What production serves: every static file collects into hashed, compressed copies."""

from django.core.management import call_command


def test_static_files_collect_with_hashed_names(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in ("vendor/leaflet/leaflet.js", "map/countries-50m.geojson", "js/map.js"):
        assert f'"{name}"' in manifest, name
    assert list(tmp_path.glob("map/countries-50m.*.geojson.gz"))
