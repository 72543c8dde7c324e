"""Configuration: settings from the environment and the network defaults file."""

from config.errors import SettingsError
from config.languages import SUPPORTED_LANGUAGES
from config.network import GroupSeed, NetworkConfig, ReviewDefaults, load_network
from config.settings import Settings, load_settings

__all__ = [
    "SUPPORTED_LANGUAGES",
    "GroupSeed",
    "NetworkConfig",
    "ReviewDefaults",
    "Settings",
    "SettingsError",
    "load_network",
    "load_settings",
]
