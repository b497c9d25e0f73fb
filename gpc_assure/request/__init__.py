"""The requests the suite sends: the one valid retrieve request, its variants and the JWT."""
