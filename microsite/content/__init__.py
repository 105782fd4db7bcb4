"""Content: what the newsroom writes, read and validated.

``config`` (site.toml), ``discovery`` (where the articles are, slug rules), ``article`` (index.md →
:class:`~microsite.content.article.Article`), ``blocks`` (the Markdown body → blocks and segments),
``scaffold`` (new articles, NFC re-saving), ``importer`` with its readers ``saved_page`` and
``scrape`` (articles from saved news pages and text scrapes), ``placeholder`` (labelled placeholder
photos). Imports only ``microsite.files`` and ``microsite.errors``: nothing here knows of
translations, pages or the desk.
"""
