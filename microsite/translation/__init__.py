"""Translation: the English edition in gettext PO files, and drafting it offline.

``pofile`` (the one PO reader and writer), ``catalog`` (entry states), ``merge`` (catalog ↔ article,
never losing English), ``glossary``, ``protect`` (markup and numbers through the engine), ``rules``
(drafts by rule), ``qa`` (findings), ``translate`` (the command), ``reuse`` (where reviewed English
for a source is, kept in ``.cache/``), ``machine`` (the Argos package, driven directly).

May import ``errors``, ``text``, ``inline``, ``files``, ``parallel``, ``cache``, ``store`` and ``content``;
never ``importing``, ``publish`` or ``desk``. The engine (argostranslate, torch) loads only inside
``machine``, on demand: building never imports it.
"""
