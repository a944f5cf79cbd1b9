"""Loopback services on 127.0.0.1 that speak vendors' REST APIs, for testing provider adapters with the real SDKs."""
