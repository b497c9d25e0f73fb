"""Running the scenarios: the pytest plugin, the embedded provider, parallel runs, the console
and the fault matrix. The only layer that imports pytest."""
