"""A local text-message provider that speaks 46elks' HTTP API, for the demo and the tests."""
