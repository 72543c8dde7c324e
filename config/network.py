"""The network defaults file: the network's name, its working groups and review criteria."""

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from config.errors import SettingsError
from config.languages import SUPPORTED_LANGUAGES

SHIPPED_NETWORK_FILE: Final = Path(__file__).with_name("network.toml")
SLUG_PATTERN: Final = re.compile(r"[a-z0-9_-]{2,32}")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _check_slug(slug: str) -> str:
    if not SLUG_PATTERN.fullmatch(slug):
        raise ValueError(f"slug {slug!r} must be 2-32 of a-z, 0-9, '_' or '-'")
    return slug


def _check_unique(slugs: Iterable[str]) -> None:
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            raise ValueError(f"slug {slug!r} appears twice")
        seen.add(slug)


def _check_languages(texts: Mapping[str, str]) -> None:
    missing = [lang for lang in SUPPORTED_LANGUAGES if lang not in texts]
    unknown = sorted(set(texts) - set(SUPPORTED_LANGUAGES))
    if missing:
        raise ValueError(f"missing languages: {', '.join(missing)}")
    if unknown:
        raise ValueError(f"unknown languages: {', '.join(unknown)}")


class _FileModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GroupSeed(_FileModel):
    """A working group as the network file defines it."""

    slug: str
    theme: Text
    names: dict[str, Text]
    descriptions: dict[str, Text]

    @field_validator("slug")
    @classmethod
    def _valid_slug(cls, slug: str) -> str:
        return _check_slug(slug)

    @field_validator("names", "descriptions")
    @classmethod
    def _every_language(cls, texts: dict[str, str]) -> dict[str, str]:
        _check_languages(texts)
        return texts


class ReviewDefaults(_FileModel):
    """Defaults for reviewing experiences."""

    criteria: list[str] = []

    @field_validator("criteria")
    @classmethod
    def _valid_criteria(cls, criteria: list[str]) -> list[str]:
        for slug in criteria:
            _check_slug(slug)
        _check_unique(criteria)
        return criteria


class NetworkConfig(_FileModel):
    """The whole network file."""

    name: Text
    short_name: Text
    names: dict[str, Text]
    """The network's name in each language, as it reads inside a sentence."""
    groups: list[GroupSeed]
    review: ReviewDefaults = ReviewDefaults()

    @field_validator("names")
    @classmethod
    def _every_language(cls, texts: dict[str, str]) -> dict[str, str]:
        _check_languages(texts)
        return texts

    def name_in(self, language: str) -> str:
        return self.names.get(language, self.name)

    @field_validator("groups")
    @classmethod
    def _unique_slugs(cls, groups: list[GroupSeed]) -> list[GroupSeed]:
        _check_unique(group.slug for group in groups)
        return groups


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def _refuse(path: Path, reason: str) -> SettingsError:
    return SettingsError("WNMRC_NETWORK_FILE", f"a valid network TOML file ({path}: {reason})")


def load_network(path: Path | None = None) -> NetworkConfig:
    """Read and validate the network file (the shipped one by default)."""
    path = path or SHIPPED_NETWORK_FILE
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
        return NetworkConfig.model_validate(data)
    except OSError as error:
        raise _refuse(path, error.strerror or str(error)) from error
    except tomllib.TOMLDecodeError as error:
        raise _refuse(path, str(error)) from error
    except ValidationError as error:
        raise _refuse(path, _describe(error)) from error
