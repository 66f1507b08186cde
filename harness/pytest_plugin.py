"""pytest plugin of dm-harness."""
