"""Places readers ask about: the wards (``db.places.wards``) and the district groups (``db.places.groups``,
an editable table from 町 to group in ``groups.toml``). They stand on nothing of ours: the parsers, the
reports and the simulator all read them."""
