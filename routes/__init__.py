"""HTTP views: thin layers over the domain in ``models``."""
