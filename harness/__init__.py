"""dm-harness: replay real conversations through a DM bot, score the replies, gate the launch."""

__version__ = "0.1.0"
