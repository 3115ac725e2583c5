"""Test harness shared by every test: network isolation, redis-server, servers, clients, browser."""
