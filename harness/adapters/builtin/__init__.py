"""Built-in adapters; importing this package registers them."""
