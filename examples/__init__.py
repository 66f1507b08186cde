"""Example bots and configs for dm-harness; importable so the python adapter can load them."""
