"""Lab reports: the matplotlib style (:mod:`.figures`), the report pieces (:mod:`.blocks`), the
HTML writers (:mod:`.html` for one lab, :mod:`.index` for the index page) and atomic JSON/file
writes (:mod:`.files`)."""
