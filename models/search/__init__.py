"""Full-text search over what each user may read.

- ``text``: words, accent folding, French stemming and stop words, as both engines see them;
- ``syntax``: the query language (words, "phrases", -exclusions, OR) parsed into a tree;
- ``columns``: the ``search_terms`` column each searchable row carries, and its upkeep;
- ``engines``: the tree rendered for PostgreSQL (tsvector, GIN) or SQLite (FTS5);
- ``query``: the search itself, with its filters and the permissions inside the query;
- ``snippets``: highlighted extracts, as plain segments the templates escape;
- ``index``: rebuilding the whole index.

Tickets are the only kind of document so far; FAQ entries will be a second one (a
``SearchKind`` of their own and a ``Hit`` that is not a ticket).

This package imports nothing at load time: ``models.tickets`` uses ``columns``.
"""
