"""An example Instagram Messaging bot: an aiohttp webhook that answers through the Send API."""
