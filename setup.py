"""Package layout only (metadata is in pyproject.toml).

``config/`` ships inside the wheel as the package ``pantau_config`` (package data), so an installed
Pantau, the container image included, has its default configuration without the repository;
``shared.config_paths.config_paths`` finds it when ``PANTAU_CONFIG_DIR`` is not set. This needs
``package_dir`` next to discovered packages, which pyproject.toml's table cannot express. Namespace discovery, as pyproject.toml did, so data
folders without ``__init__.py`` (services/match/domain/data) ship too.
"""
from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["pantau", "pantau.*", "shared", "shared.*", "services", "services.*"])
    + ["pantau_config"],
    package_dir={"pantau_config": "config"},
    package_data={
        "pantau_config": ["*.yaml", "elections/*.yaml"],
        "services.agency_api": ["web/templates/*.html", "web/static/*"],
        "": ["*.yaml", "*.json", "*.bin", "*.txt", "*.csv", "*.md"],
    },
    include_package_data=False,
)
