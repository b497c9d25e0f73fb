"""Developer tools of the gpc-assure checkout; not shipped in the wheel."""
