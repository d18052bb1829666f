"""Texts a learner reads exist in two languages; ``T`` carries both so every layer can pick one late."""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "pt-BR")


def norm_lang(lang: str | None) -> str:
    """'pt', 'pt_BR', 'pt-br.UTF-8' → 'pt-BR'; anything else → 'en'."""
    if lang and lang.lower().replace("_", "-").startswith("pt"):
        return "pt-BR"
    return "en"


def env_lang(environ=None) -> str:
    """The learner's language from the environment: the first of GAILAB_LANG, LC_ALL, LC_MESSAGES, LANG that names
    Portuguese or English (``C`` and ``POSIX`` are English; another language is passed over); en by default. The app
    and the command line both choose with it."""
    import os

    environ = os.environ if environ is None else environ
    for name in ("GAILAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        base = (environ.get(name) or "").split(".")[0].split("@")[0].replace("_", "-").lower()
        if base.startswith("pt"):
            return "pt-BR"
        if base.startswith("en") or base in ("c", "posix"):
            return "en"
    return "en"


@dataclass(frozen=True)
class T:
    """A text in English and Brazilian Portuguese. ``T("same")`` uses one text for both."""

    en: str
    pt: str | None = None

    def __call__(self, lang: str = "en") -> str:
        return (self.pt if self.pt is not None else self.en) if norm_lang(lang) == "pt-BR" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "pt-BR": self("pt-BR")}

    @classmethod
    def of(cls, value) -> "T | None":
        """Accept a T, a plain string or a {"en": ..., "pt-BR": ...} mapping."""
        if value is None or isinstance(value, T):
            return value
        if isinstance(value, dict):
            return cls(str(value.get("en", "")), value.get("pt-BR"))
        return cls(str(value))
