"""From a test patient's NHS number to the documents to retrieve: Find a Patient, the search for
the patient's DocumentReferences, what their attachment urls name, and the role each document
plays in the scenarios. Provider data is read within bounds and never followed."""
