"""The web pages' strings: the product's one string table (:mod:`esgledger.i18n`), under the name
the web modules import it by. The pages' own strings are in ``web/i18n.yaml``."""

from esgledger.i18n import HTML_LANG, LANGUAGES, WEB_FILE, Strings, load_table

__all__ = ["HTML_LANG", "LANGUAGES", "WEB_FILE", "Strings", "load_table"]
