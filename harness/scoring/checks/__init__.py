"""Built-in check types; importing this package registers them."""
