"""The project's spiders: ``suumo_chuko`` (used condos) and ``suumo_shinchiku`` (new condos)."""
