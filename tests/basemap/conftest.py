from tests.basemap.fixtures import basemap_env, basemap_file, basemap_server  # noqa: F401
