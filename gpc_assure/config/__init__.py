"""The provider configuration: its fields, where each is read from, and the resolved object."""
