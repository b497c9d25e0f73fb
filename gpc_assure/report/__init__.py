"""What a run leaves behind: the scenario records and the writers of every file in the report
folder (summary, assurance report in JSON and HTML, Cucumber, evidence, manifest and signature),
with redaction applied before anything is serialised."""
